import type { EntityManager } from '@mikro-orm/postgresql';
import type { Kysely } from '@mikro-orm/sql';
import type { InferResult } from 'kysely';
import { kysely, type Database } from '../kysely.ts';
import type { Orm } from '../orm.ts';
import { Money } from '../../../domain/shared/money.ts';
import type { Leg } from '../../../domain/ledger/ledger.repository.ts';
import type { UnitTransaction } from '../../../domain/shared/unit-of-work.ts';
import { emOf } from '../unit-of-work.ts';
import type { RawRow } from '../schemas/raw-row.ts';
import type { RiskRuleRecord } from '../schemas/index.ts';
import type { HeldMovement, RiskCase, RiskCaseStatus, RiskEvaluation, RiskStore } from '../../../domain/risk/risk.repository.ts';
import type { FigureRequest, RiskFigures, RiskParams, RiskRule, RiskRuleCode, RiskSubject } from '../../../domain/risk/risk-rules.ts';

type Db = Kysely<Database>;
type SerializedLeg = Omit<Leg, 'delta' | 'floor'> & { delta: string; floor?: string };

// Rows as the typed queries return them (convertValues: amounts as Money, timestamps as Date, jsonb parsed).
// The check constraints hold code, outcome, kind and status to the domain's lists: the narrowed types say so.
const caseRows = (db: Db) =>
  db
    .selectFrom('risk_cases as c')
    .innerJoin('risk_evaluations as e', 'e.id', 'c.evaluation_id')
    .select([
      'c.id',
      'c.evaluation_id',
      'c.transaction_id',
      'c.kind',
      'c.payer_account_id',
      'c.counterparty_account_id',
      'c.amount',
      'c.status',
      'c.onward',
      'c.decided_by',
      'c.decided_at',
      'c.created_at',
      'e.rules',
    ])
    .$narrowType<{ kind: RiskCase['kind']; status: RiskCaseStatus; onward: SerializedLeg[]; rules: RiskRuleCode[] }>();
// A rule as pg returns it (jsonb parsed, the timestamp as text); the check constraints hold code and outcome to the domain's lists.
type RuleRow = Omit<RawRow<RiskRuleRecord>, 'code' | 'outcome' | 'params' | 'updated_at'> & {
  code: RiskRuleCode;
  outcome: 'REVIEW' | 'BLOCK';
  params: Record<string, string | number>;
  updated_at: string;
};
type CaseRow = InferResult<ReturnType<typeof caseRows>>[number];

const AMOUNT_PARAMS = new Set(['maxAmount', 'minAmount']);

export function paramsFromJson(json: Record<string, string | number>): RiskParams {
  const out: Record<string, bigint | number> = {};
  for (const [k, v] of Object.entries(json)) out[k] = AMOUNT_PARAMS.has(k) ? BigInt(v) : Number(v);
  return out as RiskParams;
}

export function paramsToJson(p: RiskParams): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(p)) if (v !== undefined) out[k] = typeof v === 'bigint' ? v.toString() : (v as number);
  return out;
}

const toRule = (r: RuleRow): RiskRule & { updatedBy: string | null; updatedAt: Date } => ({
  code: r.code,
  enabled: r.enabled,
  outcome: r.outcome,
  params: paramsFromJson(r.params),
  updatedBy: r.updated_by,
  updatedAt: new Date(r.updated_at),
});

const toCase = (r: CaseRow): RiskCase => ({
  id: r.id,
  evaluationId: r.evaluation_id,
  transactionId: r.transaction_id,
  kind: r.kind,
  payerAccountId: r.payer_account_id,
  counterpartyAccountId: r.counterparty_account_id,
  amount: r.amount,
  status: r.status,
  rules: r.rules,
  decidedBy: r.decided_by,
  decidedAt: r.decided_at,
  createdAt: r.created_at,
});

const serialize = (legs: Leg[]): SerializedLeg[] =>
  legs.map(({ floor, delta, ...rest }) => ({ ...rest, delta: delta.toString(), ...(floor !== undefined ? { floor: floor.toString() } : {}) }));
const deserialize = (legs: SerializedLeg[]): Leg[] =>
  legs.map(({ floor, delta, ...rest }) => ({ ...rest, delta: BigInt(delta), ...(floor !== undefined ? { floor: BigInt(floor) } : {}) }));

/**
 * The fraud rules on PostgreSQL: the rules table, the figures (counted from the ledger's own
 * history and journal), the evaluations log and the review cases.
 */
export class PostgresRiskStore implements RiskStore {
  private readonly orm: Orm;

  constructor(orm: Orm) {
    this.orm = orm;
  }

  async rules(tx?: UnitTransaction): Promise<RiskRule[]> {
    return (await this.listRules(tx ? emOf(tx) : undefined)).map(({ code, enabled, outcome, params }) => ({ code, enabled, outcome, params }));
  }

  // Hand-written SQL: read once per ledger batch (Screen.prepare), inside its transaction, where
  // kysely()'s convertValues plugin costs about 0.3 ms a query.
  async listRules(em: EntityManager = this.orm.em.fork()) {
    const rows = (await em.execute(`select code, enabled, outcome, params, updated_by, updated_at from risk_rules order by code`)) as RuleRow[];
    return rows.map(toRule);
  }

  async setRule(rule: RiskRule, by: string): Promise<void> {
    await kysely(this.orm.em.fork())
      .updateTable('risk_rules')
      .set((eb) => ({ enabled: rule.enabled, outcome: rule.outcome, params: paramsToJson(rule.params), updated_by: by, updated_at: eb.fn('now') }))
      .where('code', '=', rule.code)
      .execute();
  }

  // The screening figures stay hand-written SQL: they run for each screened movement inside a ledger
  // batch, under its locks, and building and compiling them through kysely() costs about 0.1–0.3 ms
  // each (the convertValues plugin's transform and Kysely's compile, 2,000-compile loops), against
  // nothing for a string. Their columns are the schemas' (historical_transactions, ledger_entries).
  async figures(tx: UnitTransaction, s: RiskSubject, req: FigureRequest): Promise<RiskFigures> {
    const em = emOf(tx);
    const out: RiskFigures = {};
    if (req.velocityWindowSeconds !== undefined) {
      // The payer's debits in the window that were not given back (a FAILED movement returned its money).
      const [r] = (await em.execute(
        `select count(*)::int as n, coalesce(sum(amount), 0)::text as total from historical_transactions
          where account_id = ? and created_at >= now() - make_interval(secs => ?) and balance_after < balance_before
            and transaction_type in ('TRANSFER', 'PAYMENT', 'TOPUP') and transaction_status in ('SUCCESS', 'PENDING')`,
        [s.payerAccountId, req.velocityWindowSeconds],
      )) as [{ n: number; total: string }];
      out.outgoingCount = r.n;
      out.outgoingAmount = Money.parse(r.total).minor;
    }
    if (req.counterparty && s.counterpartyAccountId) {
      // A movement of the journal in which the payer paid and this counterparty received.
      const [r] = (await em.execute(
        `select exists (select 1 from ledger_entries a join ledger_entries b on b.movement_id = a.movement_id
                         where a.account_id = ? and a.amount < 0 and b.account_id = ? and b.amount > 0) as known`,
        [s.payerAccountId, s.counterpartyAccountId],
      )) as [{ known: boolean }];
      out.knownCounterparty = r.known;
    }
    if (req.muleWindowSeconds !== undefined && s.counterpartyAccountId) {
      const [r] = (await em.execute(
        `select count(distinct sender)::int as n, coalesce(bool_or(sender = ?), false) as among from (
           select metadata::jsonb ->> 'counterparty_account_id' as sender from historical_transactions
            where account_id = ? and transaction_type = 'TRANSFER' and balance_after > balance_before
              and created_at >= now() - make_interval(secs => ?)) s`,
        [s.payerAccountId, s.counterpartyAccountId, req.muleWindowSeconds],
      )) as [{ n: number; among: boolean }];
      out.distinctSenders = r.n;
      out.payerAmongSenders = r.among;
    }
    return out;
  }

  async hold(tx: UnitTransaction, e: Omit<RiskEvaluation, 'createdAt'>, held: HeldMovement): Promise<void> {
    const em = emOf(tx);
    await this.insertEvaluation(em, { ...e });
    await kysely(em)
      .insertInto('risk_cases')
      .values({
        id: e.id,
        evaluation_id: e.id,
        transaction_id: held.transactionId,
        kind: e.kind,
        payer_account_id: e.payerAccountId,
        counterparty_account_id: e.counterpartyAccountId,
        amount: e.amount,
        onward: serialize(held.onward),
      })
      .execute();
  }

  async logBlock(e: Omit<RiskEvaluation, 'createdAt' | 'transactionId'>): Promise<void> {
    await this.insertEvaluation(this.orm.em.fork(), { ...e, transactionId: null });
  }

  private async insertEvaluation(em: EntityManager, e: Omit<RiskEvaluation, 'createdAt'>): Promise<void> {
    await kysely(em)
      .insertInto('risk_evaluations')
      .values({
        id: e.id,
        kind: e.kind,
        payer_account_id: e.payerAccountId,
        counterparty_account_id: e.counterpartyAccountId,
        amount: e.amount,
        outcome: e.outcome,
        rules: e.decision.hits.map((h) => h.rule),
        hits: e.decision.hits,
        transaction_id: e.transactionId,
      })
      .execute();
  }

  // ---- cases ----

  async listCases(filter: { status?: RiskCaseStatus; limit: number }): Promise<RiskCase[]> {
    const status = filter.status;
    const rows = await caseRows(kysely(this.orm.em.fork()))
      .$if(status !== undefined, (q) => q.where('c.status', '=', status!))
      .orderBy('c.created_at')
      .orderBy('c.id')
      .limit(filter.limit)
      .execute();
    return rows.map(toCase);
  }

  async findCase(id: string): Promise<(RiskCase & { hits: unknown; onward: Leg[] }) | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const row = await caseRows(kysely(this.orm.em.fork())).select('e.hits').where('c.id', '=', id).executeTakeFirst();
    return row ? { ...toCase(row), hits: row.hits, onward: deserialize(row.onward) } : null;
  }

  /** Records the decision in the settlement's transaction (the held row's transition already gated it). */
  async markDecided(tx: UnitTransaction, id: string, status: 'APPROVED' | 'REJECTED', by: string): Promise<void> {
    await kysely(emOf(tx))
      .updateTable('risk_cases')
      .set((eb) => ({ status, decided_by: by, decided_at: eb.fn('now') }))
      .where('id', '=', id)
      .where('status', '=', 'PENDING')
      .execute();
  }
}
