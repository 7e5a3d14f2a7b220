import { sql, type InferResult } from 'kysely';
import type { Orm } from '../orm.ts';
import { kysely, type Database } from '../kysely.ts';
import type { Kysely } from '@mikro-orm/sql';
import type { EWalletMethod } from '../../../domain/ewallet/ewallet-provider.ts';
import type { UnitTransaction } from '../../../domain/shared/unit-of-work.ts';
import { emOf } from '../unit-of-work.ts';
import type { OurTopUp, ReconciliationException } from '../../../domain/reconciliation/reconciliation.ts';
import type {
  CaseResolution,
  ReconciliationCase,
  ReconciliationRepository,
  ReconciliationRun,
} from '../../../domain/reconciliation/reconciliation.repository.ts';

type Db = Kysely<Database>;

// Rows as the typed queries return them: numerics as Money, timestamps as Date, dates as 'YYYY-MM-DD'.
const topUps = (db: Db) =>
  db
    .selectFrom('historical_transactions')
    .select(['transaction_id', 'account_id', 'amount', 'transaction_status', 'created_at'])
    .where('transaction_type', '=', 'TOPUP');
const RUN_COLUMNS = [
  'id',
  'provider',
  'statement_date',
  'triggered_by',
  'started_at',
  'finished_at',
  'statement_sha256',
  'statement_lines',
  'our_topups',
  'matched',
  'missing_ours',
  'missing_provider',
  'amount_mismatch',
  'status_mismatch',
] as const;
const runs = (db: Db) => db.selectFrom('reconciliation_runs').select(RUN_COLUMNS);
const EXCEPTION_COLUMNS = ['kind', 'transaction_id', 'provider_reference', 'our_amount', 'provider_amount', 'our_status', 'provider_status'] as const;
const cases = (db: Db) =>
  db
    .selectFrom('reconciliation_cases')
    .select([
      'id',
      'provider',
      'statement_date',
      ...EXCEPTION_COLUMNS,
      'opened_by_run',
      'opened_at',
      'case_status',
      'resolution',
      'resolution_note',
      'resolved_by',
      'resolved_at',
      'resolution_movement_id',
      'resolution_transaction_id',
    ]);
type TopUpRow = InferResult<ReturnType<typeof topUps>>[number];
type CaseRow = InferResult<ReturnType<typeof cases>>[number];
type ExceptionRow = Pick<CaseRow, (typeof EXCEPTION_COLUMNS)[number]>;
type RunRow = InferResult<ReturnType<typeof runs>>[number];

const toTopUp = (r: TopUpRow): OurTopUp => ({
  transactionId: r.transaction_id,
  accountId: r.account_id,
  amount: r.amount,
  status: r.transaction_status,
  createdAt: r.created_at,
});
const toException = (r: ExceptionRow): ReconciliationException => ({
  kind: r.kind,
  reference: r.transaction_id,
  providerReference: r.provider_reference,
  ourAmount: r.our_amount,
  providerAmount: r.provider_amount,
  ourStatus: r.our_status,
  providerStatus: r.provider_status,
});
const toCase = (r: CaseRow): ReconciliationCase => ({
  ...toException(r),
  id: r.id,
  provider: r.provider,
  statementDate: r.statement_date,
  openedByRun: r.opened_by_run,
  openedAt: r.opened_at,
  status: r.case_status,
  resolution: r.resolution,
  note: r.resolution_note,
  resolvedBy: r.resolved_by,
  resolvedAt: r.resolved_at,
  movementId: r.resolution_movement_id,
  resolutionTransactionId: r.resolution_transaction_id,
});

/** Runs, cases and the daily claim on PostgreSQL (migration 20261201193358-reconciliation). */
export class PostgresReconciliationRepository implements ReconciliationRepository {
  private readonly orm: Orm;

  constructor(orm: Orm) {
    this.orm = orm;
  }

  async ourTopUpsBetween(provider: EWalletMethod, from: Date, to: Date): Promise<OurTopUp[]> {
    const rows = await topUps(kysely(this.orm.em.fork()))
      .where('payment_method', '=', provider)
      .where('created_at', '>=', from)
      .where('created_at', '<', to)
      .orderBy('created_at')
      .execute();
    return rows.map(toTopUp);
  }

  async ourTopUpsByReference(provider: EWalletMethod, references: string[]): Promise<OurTopUp[]> {
    const db = kysely(this.orm.em.fork());
    const out: OurTopUp[] = [];
    for (let i = 0; i < references.length; i += 1000) {
      const chunk = references.slice(i, i + 1000);
      const rows = await topUps(db).where('payment_method', '=', provider).where('transaction_id', 'in', chunk).execute();
      out.push(...rows.map(toTopUp));
    }
    return out;
  }

  async saveRun(run: Parameters<ReconciliationRepository['saveRun']>[0]): Promise<ReconciliationRun> {
    return this.orm.em.fork().transactional(async (em) => {
      const db = kysely(em);
      const r = await db
        .insertInto('reconciliation_runs')
        .values({
          provider: run.provider,
          statement_date: run.statementDate,
          triggered_by: run.triggeredBy,
          started_at: run.startedAt,
          statement_sha256: run.statementSha256,
          statement_lines: run.statementLines,
          our_topups: run.ourTopUps,
          matched: run.matched,
          missing_ours: run.missingOurs,
          missing_provider: run.missingProvider,
          amount_mismatch: run.amountMismatch,
          status_mismatch: run.statusMismatch,
        })
        .returning(RUN_COLUMNS)
        .executeTakeFirstOrThrow();
      const exceptions: ReconciliationRun['exceptions'] = [];
      for (const e of run.exceptions) {
        const values = {
          kind: e.kind,
          transaction_id: e.reference,
          provider_reference: e.providerReference,
          our_amount: e.ourAmount,
          provider_amount: e.providerAmount,
          our_status: e.ourStatus,
          provider_status: e.providerStatus,
        };
        // The same discrepancy found again (a re-run, the next day's run) belongs to the case already open or resolved.
        const inserted = await db
          .insertInto('reconciliation_cases')
          .values({ provider: run.provider, statement_date: run.statementDate, ...values, opened_by_run: r.id })
          .onConflict((oc) => oc.columns(['provider', 'transaction_id', 'kind']).doNothing())
          .returning('id')
          .executeTakeFirst();
        // On a conflict the insert waited for the case's writer to commit: this next statement sees its row.
        const c =
          inserted ??
          (await db
            .selectFrom('reconciliation_cases')
            .select('id')
            .where('provider', '=', run.provider)
            .where('transaction_id', '=', e.reference)
            .where('kind', '=', e.kind)
            .executeTakeFirstOrThrow());
        await db
          .insertInto('reconciliation_exceptions')
          .values({ run_id: r.id, case_id: c.id, ...values })
          .execute();
        exceptions.push({ ...e, caseId: c.id });
      }
      return { ...toRun(r), exceptions };
    });
  }

  async runs(filter: { provider?: EWalletMethod; from: string; to: string }): Promise<ReconciliationRun[]> {
    const db = kysely(this.orm.em.fork());
    const rows = await runs(db)
      .where('statement_date', '>=', filter.from)
      .where('statement_date', '<=', filter.to)
      .$if(!!filter.provider, (q) => q.where('provider', '=', filter.provider!))
      .orderBy('statement_date')
      .orderBy('provider')
      .orderBy('id')
      .execute();
    const out: ReconciliationRun[] = [];
    for (const r of rows) {
      const ex = await db
        .selectFrom('reconciliation_exceptions')
        .select([...EXCEPTION_COLUMNS, 'case_id'])
        .where('run_id', '=', r.id)
        .orderBy('id')
        .execute();
      out.push({ ...toRun(r), exceptions: ex.map((e) => ({ ...toException(e), caseId: e.case_id })) });
    }
    return out;
  }

  async findCase(id: string): Promise<ReconciliationCase | null> {
    if (!/^\d{1,18}$/.test(id)) return null;
    const row = await cases(kysely(this.orm.em.fork())).where('id', '=', id).executeTakeFirst();
    return row ? toCase(row) : null;
  }

  async cases(filter: { provider?: EWalletMethod; status?: 'OPEN' | 'RESOLVED'; from?: string; to?: string }): Promise<ReconciliationCase[]> {
    const rows = await cases(kysely(this.orm.em.fork()))
      .$if(!!filter.provider, (q) => q.where('provider', '=', filter.provider!))
      .$if(!!filter.status, (q) => q.where('case_status', '=', filter.status!))
      .$if(!!filter.from, (q) => q.where('statement_date', '>=', filter.from!))
      .$if(!!filter.to, (q) => q.where('statement_date', '<=', filter.to!))
      .orderBy('id')
      .execute();
    return rows.map(toCase);
  }

  async resolve(caseId: string, r: CaseResolution, tx?: UnitTransaction): Promise<boolean> {
    const rows = await kysely(tx ? emOf(tx) : this.orm.em.fork())
      .updateTable('reconciliation_cases')
      .set({
        case_status: 'RESOLVED',
        resolution: r.resolution,
        resolution_note: r.note,
        resolved_by: r.operator,
        resolved_at: sql<Date>`now()`,
        resolution_movement_id: r.movementId,
        resolution_transaction_id: r.transactionId,
      })
      .where('id', '=', caseId)
      .where('case_status', '=', 'OPEN')
      .returning('id')
      .execute();
    return rows.length === 1;
  }

  async claimDaily(provider: EWalletMethod, date: string, owner: string, leaseSeconds: number): Promise<boolean> {
    const rows = await kysely(this.orm.em.fork())
      .insertInto('reconciliation_daily_claims')
      .values({ provider, statement_date: date, claimed_by: owner, claimed_until: sql<Date>`now() + make_interval(secs => ${leaseSeconds})` })
      .onConflict((oc) =>
        oc
          .columns(['provider', 'statement_date'])
          .doUpdateSet((eb) => ({ claimed_by: eb.ref('excluded.claimed_by'), claimed_until: eb.ref('excluded.claimed_until') }))
          .where('reconciliation_daily_claims.run_id', 'is', null)
          .where('reconciliation_daily_claims.claimed_until', '<', sql<Date>`now()`),
      )
      .returning('provider')
      .execute();
    return rows.length === 1;
  }

  async finishDaily(provider: EWalletMethod, date: string, owner: string, runId: string): Promise<void> {
    await kysely(this.orm.em.fork())
      .updateTable('reconciliation_daily_claims')
      .set({ run_id: runId })
      .where('provider', '=', provider)
      .where('statement_date', '=', date)
      .where('claimed_by', '=', owner)
      .execute();
  }
}

function toRun(r: RunRow): Omit<ReconciliationRun, 'exceptions'> {
  return {
    id: r.id,
    provider: r.provider,
    statementDate: r.statement_date,
    triggeredBy: r.triggered_by,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    statementSha256: r.statement_sha256,
    statementLines: r.statement_lines,
    ourTopUps: r.our_topups,
    matched: r.matched,
    missingOurs: r.missing_ours,
    missingProvider: r.missing_provider,
    amountMismatch: r.amount_mismatch,
    statusMismatch: r.status_mismatch,
  };
}
