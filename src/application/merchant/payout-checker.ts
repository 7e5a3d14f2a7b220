import type { Logger } from '../ports/logger.ts';
import type { ClaimedPayout, PayoutCheckQueue } from '../../domain/disbursement/payout-check-queue.ts';
import { LeasedPollingWorker, type LeasedPollingOptions } from '../shared/leased-polling-worker.ts';
import type { CheckPayoutHandler } from './check-payout.handler.ts';

/** Only payouts PENDING for longer than `olderThanSeconds` are asked about (the payout's own bank call is over by then). */
export type PayoutCheckerOptions = LeasedPollingOptions;

/**
 * The background worker that settles payouts left PENDING (a timeout, a 5xx, a bank that answered
 * "pending", a crash between the debit and the call): what `merchants payout-check` does by hand.
 * Every payment replica runs one; each pending payout is claimed by one of them at a time
 * (PayoutCheckQueue), checked through the check use case (CheckPayoutHandler), and released with its next check time
 * (exponential back-off; the loop is LeasedPollingWorker's). The finality rules are the use
 * case's, not this loop's: an unknown answer leaves the payout PENDING with the money out, a
 * transfer the bank never received is sent again under the same reference, and only the bank's
 * FAILED returns the money, exactly once.
 */
export class PayoutChecker extends LeasedPollingWorker<ClaimedPayout> {
  constructor(queue: PayoutCheckQueue, checkPayout: CheckPayoutHandler, opts: PayoutCheckerOptions, logger?: Logger) {
    const check = async (c: ClaimedPayout): Promise<boolean> => {
      const p = await checkPayout.execute(c.reference);
      if (p.status === 'PENDING') {
        logger?.debug({ reference: c.reference, checks: c.checks + 1 }, 'payout still unknown; asking again later');
        return false;
      }
      logger?.info({ reference: c.reference, status: p.status, reason: p.failureReason ?? undefined }, 'payout settled by the checker');
      return true;
    };
    super(queue, check, opts, { name: 'payout checker', action: 'check a payout', fields: (c) => ({ reference: c.reference }) }, logger);
  }
}
