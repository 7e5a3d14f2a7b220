import type { EntityManager } from '@mikro-orm/postgresql';
import type { Orm } from '../orm.ts';
import { Money } from '../../../domain/shared/money.ts';
import type { Leg } from '../../../domain/ledger/ledger.repository.ts';
import type { UnitTransaction } from '../../../domain/shared/unit-of-work.ts';
import { emOf } from '../unit-of-work.ts';
import type { HeldMovement, RiskCase, RiskCaseStatus, RiskEvaluation, RiskStore } from '../../../domain/risk/risk.repository.ts';
import type { FigureRequest, RiskFigures, RiskParams, RiskRule, RiskRuleCode, RiskSubject } from '../../../domain/risk/risk-rules.ts';

/** The adapters hand the open transaction to hooks as an opaque handle (postgres-ledger.repository.ts). */

interface RuleRow {
  code: RiskRuleCode;
  enabled: boolean;
  outcome: 'REVIEW' | 'BLOCK';
  params: Record<string, string | number>;
  updated_by: string | null;
  updated_at: Date;
}

interface CaseRow {
  id: string;
  evaluation_id: string;
  transaction_id: string;
  kind: RiskCase['kind'];
  payer_account_id: string;
  counterparty_account_id: string | null;
  amount: string;
  status: RiskCaseStatus;
  onward: SerializedLeg[];
  decided_by: string | null;
  decided_at: Date | null;
  created_at: Date;
  rules: RiskRuleCode[];
}

type SerializedLeg = Omit<Leg, 'delta' | 'floor'> & { delta: string; floor?: string };

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
  amount: Money.parse(String(r.amount)),
  status: r.status,
  rules: r.rules,
  decidedBy: r.decided_by,
  decidedAt: r.decided_at ? new Date(r.decided_at) : null,
  createdAt: new Date(r.created_at),
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

  async listRules(em: EntityManager = this.orm.em.fork()) {
    return ((await em.execute(`select * from risk_rules order by code`)) as RuleRow[]).map(toRule);
  }

  async setRule(rule: RiskRule, by: string): Promise<void> {
    await this.orm.em
      .fork()
      .execute(`update risk_rules set enabled = ?, outcome = ?, params = ?::jsonb, updated_by = ?, updated_at = now() where code = ?`, [
        rule.enabled,
        rule.outcome,
        JSON.stringify(paramsToJson(rule.params)),
        by,
        rule.code,
      ]);
  }

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
    await em.execute(
      `insert into risk_cases (id, evaluation_id, transaction_id, kind, payer_account_id, counterparty_account_id, amount, onward) values (?, ?, ?, ?, ?, ?, ?, ?::jsonb)`,
      [e.id, e.id, held.transactionId, e.kind, e.payerAccountId, e.counterpartyAccountId, e.amount.toString(), JSON.stringify(serialize(held.onward))],
    );
  }

  async logBlock(e: Omit<RiskEvaluation, 'createdAt' | 'transactionId'>): Promise<void> {
    await this.insertEvaluation(this.orm.em.fork(), { ...e, transactionId: null });
  }

  private async insertEvaluation(em: EntityManager, e: Omit<RiskEvaluation, 'createdAt'>): Promise<void> {
    await em.execute(
      `insert into risk_evaluations (id, kind, payer_account_id, counterparty_account_id, amount, outcome, rules, hits, transaction_id) values (?, ?, ?, ?, ?, ?, ?::varchar[], ?::jsonb, ?)`,
      [
        e.id,
        e.kind,
        e.payerAccountId,
        e.counterpartyAccountId,
        e.amount.toString(),
        e.outcome,
        `{${e.decision.hits.map((h) => h.rule).join(',')}}`,
        JSON.stringify(e.decision.hits),
        e.transactionId,
      ],
    );
  }

  // ---- cases ----

  async listCases(filter: { status?: RiskCaseStatus; limit: number }): Promise<RiskCase[]> {
    const rows = (await this.orm.em
      .fork()
      .execute(
        `select c.*, e.rules from risk_cases c join risk_evaluations e on e.id = c.evaluation_id ${filter.status ? 'where c.status = ?' : ''} order by c.created_at, c.id limit ?`,
        filter.status ? [filter.status, filter.limit] : [filter.limit],
      )) as CaseRow[];
    return rows.map(toCase);
  }

  async findCase(id: string): Promise<(RiskCase & { hits: unknown; onward: Leg[] }) | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const rows = (await this.orm.em
      .fork()
      .execute(`select c.*, e.rules, e.hits from risk_cases c join risk_evaluations e on e.id = c.evaluation_id where c.id = ?`, [id])) as (CaseRow & {
      hits: unknown;
    })[];
    return rows[0] ? { ...toCase(rows[0]), hits: rows[0].hits, onward: deserialize(rows[0].onward) } : null;
  }

  /** Records the decision in the settlement's transaction (the held row's transition already gated it). */
  async markDecided(tx: UnitTransaction, id: string, status: 'APPROVED' | 'REJECTED', by: string): Promise<void> {
    await emOf(tx).execute(`update risk_cases set status = ?, decided_by = ?, decided_at = now() where id = ? and status = 'PENDING'`, [status, by, id]);
  }

  /** BLOCK and REVIEW counts by rule over a period (the regulator's report of refusals by rule). */
  async countsByRule(from: Date, to: Date): Promise<{ rule: RiskRuleCode; outcome: 'REVIEW' | 'BLOCK'; count: number }[]> {
    return (await this.orm.em
      .fork()
      .execute(
        `select rule, outcome, count(*)::int as count from risk_evaluations, unnest(rules) as rule where created_at >= ? and created_at < ? group by 1, 2 order by 1, 2`,
        [from, to],
      )) as { rule: RiskRuleCode; outcome: 'REVIEW' | 'BLOCK'; count: number }[];
  }
}
