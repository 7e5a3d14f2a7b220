import type { Logger } from 'pino';
import type { LedgerRepository } from '../../../domain/ledger/ledger.repository.ts';
import type { SettleTopUpHandler } from '../settle-top-up/settle-top-up.handler.ts';

export interface ReconcilerOptions {
  /** How often to poll. */
  intervalMs: number;
  /** Only top-ups PENDING for longer than this are asked about (the request's own call is over by then). */
  olderThanSeconds: number;
  batchSize?: number;
}

/**
 * The background worker that settles top-ups left PENDING (a timeout, a crash, a lost webhook):
 * it asks the provider for each one's status and settles the definite ones. Racing a webhook or
 * another replica is harmless: the ledger's conditional transition applies once.
 */
export class TopUpReconciler {
  private readonly ledger: LedgerRepository;
  private readonly settle: SettleTopUpHandler;
  private readonly opts: ReconcilerOptions;
  private readonly logger: Logger | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = true;

  constructor(ledger: LedgerRepository, settle: SettleTopUpHandler, opts: ReconcilerOptions, logger?: Logger) {
    this.ledger = ledger;
    this.settle = settle;
    this.opts = opts;
    this.logger = logger;
  }

  /** One pass; returns how many top-ups it settled. */
  async runOnce(now = new Date()): Promise<number> {
    const due = await this.ledger.pendingTopUps(new Date(now.getTime() - this.opts.olderThanSeconds * 1000), this.opts.batchSize ?? 100);
    let settled = 0;
    for (const t of due) {
      try {
        const r = await this.settle.execute(t.transactionId);
        if (r.kind === 'settled' && r.result.applied) settled++;
      } catch (err) {
        this.logger?.warn({ err: (err as Error).message, transaction_id: t.transactionId }, 'reconciler could not settle a top-up; will retry');
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
