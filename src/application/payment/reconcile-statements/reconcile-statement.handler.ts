import { createHash } from 'node:crypto';
import type { EWalletMethod, StatementLine } from '../../../domain/ewallet/ewallet-provider.ts';
import { CUTOFF_GRACE_MS, nextDate, parseStatementDate, reconcile, statementWindow, type OurTopUp } from '../../../domain/reconciliation/reconciliation.ts';
import type { ReconciliationRepository, ReconciliationRun } from '../../../domain/reconciliation/reconciliation.repository.ts';
import { providerFor, type EWalletProviders } from '../shared/ewallet-providers.ts';

export interface ReconcileCommand {
  provider: EWalletMethod;
  /** YYYY-MM-DD, a Jakarta day. */
  date: string;
  /** Who asked: `cli:<operator>` or `scheduler:<replica>`. */
  triggeredBy: string;
}

/**
 * Reconciles one provider's day: fetches its statement, matches each line to our top-up by
 * reference, classifies every line and every top-up of ours that day, and stores the run with its
 * exceptions (opening a case for each new discrepancy). Reads only: it never changes a balance.
 */
export class ReconcileStatementHandler {
  private readonly repo: ReconciliationRepository;
  private readonly providers: EWalletProviders;
  private readonly now: () => Date;
  /** Called after each stored run (metrics). */
  onRun: ((run: ReconciliationRun) => void) | undefined;

  constructor(repo: ReconciliationRepository, providers: EWalletProviders, now: () => Date = () => new Date()) {
    this.repo = repo;
    this.providers = providers;
    this.now = now;
  }

  async execute(cmd: ReconcileCommand): Promise<ReconciliationRun> {
    const date = parseStatementDate(cmd.date);
    const startedAt = this.now();
    const provider = providerFor(this.providers, cmd.provider);
    const { from, to } = statementWindow(date);
    const lines = await provider.statement(date);
    const ourDay = await this.repo.ourTopUpsBetween(cmd.provider, from, to);
    const known = new Map<string, OurTopUp>(ourDay.map((t) => [t.transactionId, t]));
    const elsewhere = lines.filter((l) => !known.has(l.reference)).map((l) => l.reference);
    for (const t of await this.repo.ourTopUpsByReference(cmd.provider, elsewhere)) known.set(t.transactionId, t);

    // Top-ups made just before midnight may be on the next day's statement (once that day has begun).
    const onStatement = new Set(lines.map((l) => l.reference));
    const nearMidnight = ourDay.some((t) => !onStatement.has(t.transactionId) && to.getTime() - t.createdAt.getTime() <= CUTOFF_GRACE_MS);
    const nextDayRefs = nearMidnight && startedAt >= to ? new Set((await provider.statement(nextDate(date))).map((l) => l.reference)) : null;

    const { counts, exceptions } = reconcile(lines, (ref) => known.get(ref), ourDay, nextDayRefs);
    const run = await this.repo.saveRun({
      provider: cmd.provider,
      statementDate: date,
      triggeredBy: cmd.triggeredBy,
      startedAt,
      statementSha256: digest(lines),
      ...counts,
      exceptions,
    });
    this.onRun?.(run);
    return run;
  }
}

/** A fingerprint of the statement as we read it, stored with the run (what the provider said, for audits). */
function digest(lines: StatementLine[]): string {
  const h = createHash('sha256');
  for (const l of lines)
    h.update(`${l.reference}\t${l.providerReference}\t${l.amount.toString()}\t${l.status}\t${l.createdAt.toISOString()}\t${l.updatedAt.toISOString()}\n`);
  return h.digest('hex');
}
