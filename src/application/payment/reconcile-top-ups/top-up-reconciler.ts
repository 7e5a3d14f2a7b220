import type { Logger } from '../../ports/logger.ts';
import type { EWalletMethod } from '../../../domain/ewallet/ewallet-provider.ts';
import type { ClaimedTopUp, TopUpReconcileQueue } from '../../../domain/ledger/top-up-reconcile-queue.ts';
import { LeasedPollingWorker, type LeasedPollingOptions } from '../../shared/leased-polling-worker.ts';
import type { SettleTopUpHandler } from '../settle-top-up/settle-top-up.handler.ts';

/** Only top-ups PENDING for longer than `olderThanSeconds` are asked about (the request's own call is over by then). */
export interface ReconcilerOptions extends LeasedPollingOptions {
  /** Per provider: a NOT_FOUND about a top-up at least this old (ms since its debit) is final (top-up-finality.ts). */
  notFoundFinalAfterMs: Record<EWalletMethod, number>;
}

/**
 * The background worker that settles top-ups left PENDING (a timeout, a crash, a lost webhook).
 * Every payment replica runs one; each pending top-up is claimed by one of them at a time
 * (TopUpReconcileQueue), asked about, and released with its next check time (exponential
 * back-off; the loop is LeasedPollingWorker's). An unknown answer never releases money: NOT_FOUND
 * only becomes FAILED once the provider's acceptance window has certainly passed, measured by the
 * database's clock (the claim's ageMs), whatever `now` a test passes to runOnce.
 */
export class TopUpReconciler extends LeasedPollingWorker<ClaimedTopUp> {
  constructor(queue: TopUpReconcileQueue, settle: SettleTopUpHandler, opts: ReconcilerOptions, logger?: Logger) {
    const reconcile = async (c: ClaimedTopUp): Promise<boolean> => {
      const notFoundIsFinal = c.ageMs >= opts.notFoundFinalAfterMs[c.paymentMethod];
      const r = await settle.execute(c.transactionId, { notFoundIsFinal, via: 'inquiry' });
      if (r.kind === 'still_pending')
        logger?.debug({ transaction_id: c.transactionId, answer: r.answer, checks: c.checks + 1 }, 'top-up still unknown; asking again later');
      return r.kind === 'settled' && r.result.applied;
    };
    super(queue, reconcile, opts, { name: 'reconciler', action: 'settle a top-up', fields: (c) => ({ transaction_id: c.transactionId }) }, logger);
  }
}
