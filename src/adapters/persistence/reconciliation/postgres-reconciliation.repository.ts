import type { Orm } from '../orm.ts';
import type { EWalletMethod, TopUpStatus } from '../../../domain/ewallet/ewallet-provider.ts';
import type { UnitTransaction } from '../../../domain/shared/unit-of-work.ts';
import { emOf } from '../unit-of-work.ts';
import type { TransactionStatus } from '../../../domain/ledger/transaction.ts';
import { Money } from '../../../domain/shared/money.ts';
import type { ExceptionKind, OurTopUp, ReconciliationException, Resolution } from '../../../domain/reconciliation/reconciliation.ts';
import type {
  CaseResolution,
  ReconciliationCase,
  ReconciliationRepository,
  ReconciliationRun,
} from '../../../domain/reconciliation/reconciliation.repository.ts';

interface TopUpRow {
  transaction_id: string;
  account_id: string;
  amount: string;
  transaction_status: TransactionStatus;
  created_at: Date;
}
interface RunRow {
  id: string;
  provider: EWalletMethod;
  statement_date: string;
  triggered_by: string;
  started_at: Date;
  finished_at: Date;
  statement_sha256: string;
  statement_lines: number;
  our_topups: number;
  matched: number;
  missing_ours: number;
  missing_provider: number;
  amount_mismatch: number;
  status_mismatch: number;
}
interface ExceptionRow {
  kind: ExceptionKind;
  transaction_id: string;
  provider_reference: string | null;
  our_amount: string | null;
  provider_amount: string | null;
  our_status: TransactionStatus | null;
  provider_status: TopUpStatus | null;
}
interface CaseRow extends ExceptionRow {
  id: string;
  provider: EWalletMethod;
  statement_date: string;
  opened_by_run: string;
  opened_at: Date;
  case_status: 'OPEN' | 'RESOLVED';
  resolution: Resolution | null;
  resolution_note: string | null;
  resolved_by: string | null;
  resolved_at: Date | null;
  resolution_movement_id: string | null;
  resolution_transaction_id: string | null;
}

const TOPUP_COLUMNS = `transaction_id, account_id, amount::text as amount, transaction_status, created_at`;
const RUN_COLUMNS = `id::text as id, provider::text as provider, to_char(statement_date, 'YYYY-MM-DD') as statement_date, triggered_by, started_at, finished_at, statement_sha256,
  statement_lines, our_topups, matched, missing_ours, missing_provider, amount_mismatch, status_mismatch`;
const EXCEPTION_COLUMNS = `kind, transaction_id, provider_reference, our_amount::text as our_amount, provider_amount::text as provider_amount, our_status::text as our_status, provider_status`;
const CASE_COLUMNS = `id::text as id, provider::text as provider, to_char(statement_date, 'YYYY-MM-DD') as statement_date, ${EXCEPTION_COLUMNS}, opened_by_run::text as opened_by_run, opened_at,
  case_status, resolution, resolution_note, resolved_by, resolved_at, resolution_movement_id::text as resolution_movement_id, resolution_transaction_id`;

const money = (v: string | null): Money | null => (v === null ? null : Money.parse(v));
const toTopUp = (r: TopUpRow): OurTopUp => ({
  transactionId: r.transaction_id,
  accountId: r.account_id,
  amount: Money.parse(r.amount),
  status: r.transaction_status,
  createdAt: new Date(r.created_at),
});
const toException = (r: ExceptionRow): ReconciliationException => ({
  kind: r.kind,
  reference: r.transaction_id,
  providerReference: r.provider_reference,
  ourAmount: money(r.our_amount),
  providerAmount: money(r.provider_amount),
  ourStatus: r.our_status,
  providerStatus: r.provider_status,
});
const toCase = (r: CaseRow): ReconciliationCase => ({
  ...toException(r),
  id: r.id,
  provider: r.provider,
  statementDate: r.statement_date,
  openedByRun: r.opened_by_run,
  openedAt: new Date(r.opened_at),
  status: r.case_status,
  resolution: r.resolution,
  note: r.resolution_note,
  resolvedBy: r.resolved_by,
  resolvedAt: r.resolved_at ? new Date(r.resolved_at) : null,
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
    const rows = (await this.orm.em.fork().execute(
      `select ${TOPUP_COLUMNS} from historical_transactions
          where transaction_type = 'TOPUP' and payment_method = ? and created_at >= ? and created_at < ? order by created_at`,
      [provider, from, to],
    )) as TopUpRow[];
    return rows.map(toTopUp);
  }

  async ourTopUpsByReference(provider: EWalletMethod, references: string[]): Promise<OurTopUp[]> {
    const em = this.orm.em.fork();
    const out: OurTopUp[] = [];
    for (let i = 0; i < references.length; i += 1000) {
      const chunk = references.slice(i, i + 1000);
      const rows = (await em.execute(
        `select ${TOPUP_COLUMNS} from historical_transactions where transaction_type = 'TOPUP' and payment_method = ? and transaction_id in (${chunk.map(() => '?').join(',')})`,
        [provider, ...chunk],
      )) as TopUpRow[];
      out.push(...rows.map(toTopUp));
    }
    return out;
  }

  async saveRun(run: Parameters<ReconciliationRepository['saveRun']>[0]): Promise<ReconciliationRun> {
    return this.orm.em.fork().transactional(async (em) => {
      const [r] = (await em.execute(
        `insert into reconciliation_runs (provider, statement_date, triggered_by, started_at, statement_sha256, statement_lines, our_topups, matched, missing_ours, missing_provider, amount_mismatch, status_mismatch)
         values (?, ?::date, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning ${RUN_COLUMNS}`,
        [
          run.provider,
          run.statementDate,
          run.triggeredBy,
          run.startedAt,
          run.statementSha256,
          run.statementLines,
          run.ourTopUps,
          run.matched,
          run.missingOurs,
          run.missingProvider,
          run.amountMismatch,
          run.statusMismatch,
        ],
      )) as [RunRow];
      const exceptions: ReconciliationRun['exceptions'] = [];
      for (const e of run.exceptions) {
        const values = [
          e.kind,
          e.reference,
          e.providerReference,
          e.ourAmount?.toString() ?? null,
          e.providerAmount?.toString() ?? null,
          e.ourStatus,
          e.providerStatus,
        ];
        // The same discrepancy found again (a re-run, the next day's run) belongs to the case already open or resolved.
        const [found] = (await em.execute(
          `with ins as (
             insert into reconciliation_cases (provider, statement_date, kind, transaction_id, provider_reference, our_amount, provider_amount, our_status, provider_status, opened_by_run)
             values (?, ?::date, ?, ?, ?, ?::numeric, ?::numeric, ?::transaction_status, ?, ?)
             on conflict (provider, transaction_id, kind) do nothing returning id)
           select id::text as id from ins
           union all select id::text from reconciliation_cases where provider = ? and transaction_id = ? and kind = ?
           limit 1`,
          [run.provider, run.statementDate, ...values, r.id, run.provider, e.reference, e.kind],
        )) as { id: string }[];
        // A concurrent run inserted the case after this statement's snapshot: a new statement sees it.
        const c =
          found ??
          (
            (await em.execute(`select id::text as id from reconciliation_cases where provider = ? and transaction_id = ? and kind = ?`, [
              run.provider,
              e.reference,
              e.kind,
            ])) as { id: string }[]
          )[0]!;
        await em.execute(
          `insert into reconciliation_exceptions (run_id, case_id, kind, transaction_id, provider_reference, our_amount, provider_amount, our_status, provider_status)
           values (?, ?, ?, ?, ?, ?::numeric, ?::numeric, ?::transaction_status, ?)`,
          [r.id, c.id, ...values],
        );
        exceptions.push({ ...e, caseId: c.id });
      }
      return { ...this.toRun(r), exceptions };
    });
  }

  async runs(filter: { provider?: EWalletMethod; from: string; to: string }): Promise<ReconciliationRun[]> {
    const em = this.orm.em.fork();
    const rows = (await em.execute(
      `select ${RUN_COLUMNS} from reconciliation_runs where statement_date between ?::date and ?::date ${filter.provider ? 'and provider = ?' : ''} order by statement_date, provider, id`,
      filter.provider ? [filter.from, filter.to, filter.provider] : [filter.from, filter.to],
    )) as RunRow[];
    const out: ReconciliationRun[] = [];
    for (const r of rows) {
      const ex = (await em.execute(`select ${EXCEPTION_COLUMNS}, case_id::text as case_id from reconciliation_exceptions where run_id = ? order by id`, [
        r.id,
      ])) as (ExceptionRow & { case_id: string })[];
      out.push({ ...this.toRun(r), exceptions: ex.map((e) => ({ ...toException(e), caseId: e.case_id })) });
    }
    return out;
  }

  async findCase(id: string): Promise<ReconciliationCase | null> {
    if (!/^\d{1,18}$/.test(id)) return null;
    const rows = (await this.orm.em.fork().execute(`select ${CASE_COLUMNS} from reconciliation_cases where id = ?`, [id])) as CaseRow[];
    return rows[0] ? toCase(rows[0]) : null;
  }

  async cases(filter: { provider?: EWalletMethod; status?: 'OPEN' | 'RESOLVED'; from?: string; to?: string }): Promise<ReconciliationCase[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: string, value: unknown) => {
      where.push(clause);
      params.push(value);
    };
    if (filter.provider) add('provider = ?', filter.provider);
    if (filter.status) add('case_status = ?', filter.status);
    if (filter.from) add('statement_date >= ?::date', filter.from);
    if (filter.to) add('statement_date <= ?::date', filter.to);
    const rows = (await this.orm.em
      .fork()
      .execute(`select ${CASE_COLUMNS} from reconciliation_cases ${where.length ? `where ${where.join(' and ')}` : ''} order by id`, params)) as CaseRow[];
    return rows.map(toCase);
  }

  async resolve(caseId: string, r: CaseResolution, tx?: UnitTransaction): Promise<boolean> {
    const em = tx ? emOf(tx) : this.orm.em.fork();
    const rows = (await em.execute(
      `update reconciliation_cases
          set case_status = 'RESOLVED', resolution = ?, resolution_note = ?, resolved_by = ?, resolved_at = now(), resolution_movement_id = ?::uuid, resolution_transaction_id = ?
        where id = ? and case_status = 'OPEN' returning id`,
      [r.resolution, r.note, r.operator, r.movementId, r.transactionId, caseId],
    )) as unknown[];
    return rows.length === 1;
  }

  async claimDaily(provider: EWalletMethod, date: string, owner: string, leaseSeconds: number): Promise<boolean> {
    const rows = (await this.orm.em.fork().execute(
      `insert into reconciliation_daily_claims (provider, statement_date, claimed_by, claimed_until) values (?, ?::date, ?, now() + make_interval(secs => ?))
       on conflict (provider, statement_date) do update set claimed_by = excluded.claimed_by, claimed_until = excluded.claimed_until
         where reconciliation_daily_claims.run_id is null and reconciliation_daily_claims.claimed_until < now()
       returning provider`,
      [provider, date, owner, leaseSeconds],
    )) as unknown[];
    return rows.length === 1;
  }

  async finishDaily(provider: EWalletMethod, date: string, owner: string, runId: string): Promise<void> {
    await this.orm.em
      .fork()
      .execute(`update reconciliation_daily_claims set run_id = ? where provider = ? and statement_date = ?::date and claimed_by = ?`, [
        runId,
        provider,
        date,
        owner,
      ]);
  }

  private toRun(r: RunRow): Omit<ReconciliationRun, 'exceptions'> {
    return {
      id: r.id,
      provider: r.provider,
      statementDate: r.statement_date,
      triggeredBy: r.triggered_by,
      startedAt: new Date(r.started_at),
      finishedAt: new Date(r.finished_at),
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
}
