import type { Logger } from '../../ports/logger.ts';
import type { EWalletMethod } from '../../../domain/ewallet/ewallet-provider.ts';
import { nextCheckDelayMs } from '../../../domain/ewallet/top-up-finality.ts';
import type { TopUpReconcileQueue } from '../../../domain/ledger/top-up-reconcile-queue.ts';
import type { SettleTopUpHandler } from '../settle-top-up/settle-top-up.handler.ts';

export interface ReconcilerOptions {
  /** How often to poll; also the first back-off step of a top-up that is still unknown. */
  intervalMs: number;
  /** Only top-ups PENDING for longer than this are asked about (the request's own call is over by then). */
  olderThanSeconds: number;
  /** Per provider: a NOT_FOUND about a top-up at least this old (ms since its debit) is final (top-up-finality.ts). */
  notFoundFinalAfterMs: Record<EWalletMethod, number>;
  /** How long this replica's claim on a batch lasts. */
  leaseMs: number;
  /** Cap of the back-off between two checks of the same top-up. */
  backoffMaxMs: number;
  batchSize?: number;
}

/**
 * The background worker that settles top-ups left PENDING (a timeout, a crash, a lost webhook).
 * Every payment replica runs one; each pending top-up is claimed by one of them at a time
 * (TopUpReconcileQueue), asked about, and released with its next check time (exponential
 * back-off). An unknown answer never releases money: NOT_FOUND only becomes FAILED once the
 * provider's acceptance window has certainly passed, measured by the database's clock.
 */
export class TopUpReconciler {
  private readonly queue: TopUpReconcileQueue;
  private readonly settle: SettleTopUpHandler;
  private readonly opts: ReconcilerOptions;
  private readonly logger: Logger | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = true;

  constructor(queue: TopUpReconcileQueue, settle: SettleTopUpHandler, opts: ReconcilerOptions, logger?: Logger) {
    this.queue = queue;
    this.settle = settle;
    this.opts = opts;
    this.logger = logger;
  }

  /**
   * One pass; returns how many top-ups it settled. `now` only moves the reconcile delay (tests);
   * whether a NOT_FOUND is final is always judged on the database's real clock.
   */
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
        const notFoundIsFinal = c.ageMs >= this.opts.notFoundFinalAfterMs[c.paymentMethod];
        const r = await this.settle.execute(c.transactionId, { notFoundIsFinal, via: 'inquiry' });
        if (r.kind === 'settled' && r.result.applied) settled++;
        if (r.kind === 'still_pending')
          this.logger?.debug({ transaction_id: c.transactionId, answer: r.answer, checks: c.checks + 1 }, 'top-up still unknown; asking again later');
      } catch (err) {
        this.logger?.warn({ err: (err as Error).message, transaction_id: c.transactionId }, 'reconciler could not settle a top-up; will retry');
      } finally {
        await this.queue.release(c, nextCheckDelayMs(c.checks, this.opts.intervalMs, this.opts.backoffMaxMs)).catch((err: unknown) => {
          this.logger?.warn(
            { err: (err as Error).message, transaction_id: c.transactionId },
            'reconciler could not release its claim; it expires with its lease',
          );
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
        .catch((err: unknown) => this.logger?.warn({ err: (err as Error).message }, 'reconciler pass failed'))
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
