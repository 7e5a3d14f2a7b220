import type { Logger } from '../ports/logger.ts';
import { nextCheckDelayMs } from '../../domain/ewallet/top-up-finality.ts';
import type { PayoutCheckQueue } from '../../domain/disbursement/payout-check-queue.ts';
import type { PayoutMerchantHandler } from './payout-merchant.handler.ts';

export interface PayoutCheckerOptions {
  /** How often to poll; also the first back-off step of a payout that is still unknown. */
  intervalMs: number;
  /** Only payouts PENDING for longer than this are asked about (the payout's own bank call is over by then). */
  olderThanSeconds: number;
  /** How long this replica's claim on a batch lasts. */
  leaseMs: number;
  /** Cap of the back-off between two checks of the same payout. */
  backoffMaxMs: number;
  batchSize?: number;
}

/**
 * The background worker that settles payouts left PENDING (a timeout, a 5xx, a bank that answered
 * "pending", a crash between the debit and the call): what `merchants payout-check` does by hand.
 * Every payment replica runs one; each pending payout is claimed by one of them at a time
 * (PayoutCheckQueue), checked through the payout use case, and released with its next check time
 * (exponential back-off). The finality rules are the use case's, not this loop's: an unknown
 * answer leaves the payout PENDING with the money out, a transfer the bank never received is sent
 * again under the same reference, and only the bank's FAILED returns the money, exactly once.
 */
export class PayoutChecker {
  private readonly queue: PayoutCheckQueue;
  private readonly payouts: PayoutMerchantHandler;
  private readonly opts: PayoutCheckerOptions;
  private readonly logger: Logger | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = true;

  constructor(queue: PayoutCheckQueue, payouts: PayoutMerchantHandler, opts: PayoutCheckerOptions, logger?: Logger) {
    this.queue = queue;
    this.payouts = payouts;
    this.opts = opts;
    this.logger = logger;
  }

  /** One pass; returns how many payouts it brought to SUCCESS or FAILED. `now` only moves the age threshold (tests). */
  async runOnce(now = new Date()): Promise<number> {
    const claims = await this.queue.claim({
      olderThan: new Date(now.getTime() - this.opts.olderThanSeconds * 1000),
      limit: this.opts.batchSize ?? 100,
      leaseMs: this.opts.leaseMs,
    });
    let settled = 0;
    // The claims must not outlive their lease while this replica still works on them: past half
    // of it, the rest are handed back (due at once) for the next pass or another replica.
    const handBackAt = Date.now() + this.opts.leaseMs / 2;
    for (const c of claims) {
      if (Date.now() > handBackAt) {
        await this.queue.release(c, 0).catch(() => {});
        continue;
      }
      try {
        const p = await this.payouts.check(c.reference);
        if (p.status === 'PENDING') this.logger?.debug({ reference: c.reference, checks: c.checks + 1 }, 'payout still unknown; asking again later');
        else {
          settled++;
          this.logger?.info({ reference: c.reference, status: p.status, reason: p.failureReason ?? undefined }, 'payout settled by the checker');
        }
      } catch (err) {
        this.logger?.warn({ err: (err as Error).message, reference: c.reference }, 'payout checker could not check a payout; will retry');
      } finally {
        await this.queue.release(c, nextCheckDelayMs(c.checks, this.opts.intervalMs, this.opts.backoffMaxMs)).catch((err: unknown) => {
          this.logger?.warn({ err: (err as Error).message, reference: c.reference }, 'payout checker could not release its claim; it expires with its lease');
        });
      }
    }
    return settled;
  }

  start(): void {
    this.stopped = false;
    const tick = () => {
      if (this.stopped) return;
      this.running = this.runOnce()
        .catch((err: unknown) => this.logger?.warn({ err: (err as Error).message }, 'payout checker pass failed'))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.opts.intervalMs);
        });
    };
    this.timer = setTimeout(tick, this.opts.intervalMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
