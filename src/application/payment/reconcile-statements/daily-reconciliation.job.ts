import type { Logger } from '../../ports/logger.ts';
import type { EWalletMethod } from '../../../domain/ewallet/ewallet-provider.ts';
import { statementDateOf } from '../../../domain/reconciliation/reconciliation.ts';
import type { ReconciliationRepository } from '../../../domain/reconciliation/reconciliation.repository.ts';
import type { ReconcileStatementHandler } from './reconcile-statement.handler.ts';

export interface DailyReconciliationOptions {
  providers: EWalletMethod[];
  /** How often each replica looks whether yesterday's run is due. */
  checkIntervalMs: number;
  /** Yesterday is reconciled from this hour of the day, Jakarta time (providers publish overnight). */
  fromHourJakarta: number;
  /** How long a replica holds a day's claim; a replica that dies mid-run is replaced after it. */
  leaseSeconds: number;
  /** This replica's name in the claims table. */
  owner: string;
}

/**
 * The scheduled daily reconciliation, run by every payment replica and done by one: each provider's
 * previous Jakarta day is claimed with a row in reconciliation_daily_claims (an insert, or the take
 * over of an expired lease) and only the claimant runs it, then marks it done. A failed run (the
 * provider down) leaves the claim to expire, and a later check, here or elsewhere, tries again.
 */
export class DailyReconciliationJob {
  private readonly repo: ReconciliationRepository;
  private readonly handler: ReconcileStatementHandler;
  private readonly opts: DailyReconciliationOptions;
  private readonly logger: Logger | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = true;

  constructor(repo: ReconciliationRepository, handler: ReconcileStatementHandler, opts: DailyReconciliationOptions, logger?: Logger) {
    this.repo = repo;
    this.handler = handler;
    this.opts = opts;
    this.logger = logger;
  }

  /** The day due at `now`: yesterday in Jakarta once its hour has come, else null. */
  dueDate(now: Date): string | null {
    const jakartaHour = (now.getUTCHours() + 7) % 24;
    if (jakartaHour < this.opts.fromHourJakarta) return null;
    return statementDateOf(new Date(now.getTime() - 86_400_000));
  }

  /** One check; returns the providers this replica reconciled. */
  async runOnce(now = new Date()): Promise<EWalletMethod[]> {
    const date = this.dueDate(now);
    if (!date) return [];
    const done: EWalletMethod[] = [];
    for (const provider of this.opts.providers) {
      if (!(await this.repo.claimDaily(provider, date, this.opts.owner, this.opts.leaseSeconds))) continue;
      try {
        const run = await this.handler.execute({ provider, date, triggeredBy: `scheduler:${this.opts.owner}` });
        await this.repo.finishDaily(provider, date, this.opts.owner, run.id);
        done.push(provider);
        this.logger?.info({ provider, date, run: run.id, matched: run.matched, exceptions: run.exceptions.length }, 'daily reconciliation done');
      } catch (err) {
        this.logger?.warn({ provider, date, err: (err as Error).message }, 'daily reconciliation failed; retried when the claim expires');
      }
    }
    return done;
  }

  start(): void {
    this.stopped = false;
    const tick = () => {
      if (this.stopped) return;
      this.running = this.runOnce()
        .catch((err: unknown) => this.logger?.warn({ err: (err as Error).message }, 'daily reconciliation check failed'))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.opts.checkIntervalMs);
        });
    };
    this.timer = setTimeout(tick, Math.min(this.opts.checkIntervalMs, 5_000));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
