import { isBoundedDateTime } from '../../../domain/shared/bounded-time.ts';
import type {
  HistoryFilters,
  HistoryPage,
  MonthlyReport,
  Paging,
  RefusalCount,
  ReportLine,
  Scope,
  TransactionReadRepository,
  TransactionView,
} from '../../../domain/transaction/transaction-read.ports.ts';
import { formatMinor, toMinor } from '../../../application/transaction/decimal-amounts.ts';
import type { Orm } from '../orm.ts';
import { query, toDate } from './sql.ts';
import { TransactionErrors } from '../../../domain/transaction/transaction.errors.ts';

/** Days, months and monthly reports follow Indonesian Western Time, the platform's business day. */
export const BUSINESS_TIME_ZONE = 'Asia/Jakarta';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const COLUMNS = `t.id, t.transaction_id, t.user_id, t.account_id, t.transaction_type::text as type, t.transaction_status::text as status,
  t.amount::text as amount, t.balance_before::text as balance_before, t.balance_after::text as balance_after, t.currency,
  t.payment_method::text as payment_method, t.description, t.external_reference, t.created_at, t.updated_at,
  to_char(t.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as cursor_ts,
  (select json_build_object('code', mc.code, 'name', mc.name) from merchants mc
    where mc.code = case when t.transaction_type in ('PAYMENT', 'REFUND') then t.metadata::jsonb ->> 'merchant_id' end) as merchant`;
// The merchant of a PAYMENT or REFUND row: the code the row carries, the name the merchant has now.
// CASE keeps the jsonb cast to the rows the ledger writes as JSON (other rows' metadata may be text).

type Row = Record<string, unknown>;

function toView(r: Row, withPhone: boolean): TransactionView {
  return {
    id: r.id as string,
    transactionId: r.transaction_id as string,
    userId: Number(r.user_id),
    accountId: r.account_id as string,
    type: r.type as string,
    status: r.status as string,
    amount: r.amount as string,
    balanceBefore: r.balance_before as string,
    balanceAfter: r.balance_after as string,
    currency: r.currency as string,
    paymentMethod: (r.payment_method as string | null) ?? null,
    description: (r.description as string | null) ?? null,
    externalReference: (r.external_reference as string | null) ?? null,
    createdAt: toDate(r.created_at),
    updatedAt: toDate(r.updated_at),
    merchant: (r.merchant as { code: string; name: string } | null) ?? null,
    ...(withPhone ? { phone: r.phone as string } : {}),
  };
}

interface Where {
  sql: string[];
  params: unknown[];
}

function add(w: Where, sql: string, param: unknown): void {
  w.sql.push(sql);
  w.params.push(param);
}

function whereOf(scope: Scope, filters: HistoryFilters): Where {
  const w: Where = { sql: [], params: [] };
  if (scope.kind === 'user') {
    w.sql.push('t.user_id = ?');
    w.params.push(scope.userId);
  } else w.sql.push('t.is_accessible_external = true');
  if (filters.type) add(w, 't.transaction_type = ?::transaction_type', filters.type);
  if (filters.status) add(w, 't.transaction_status = ?::transaction_status', filters.status);
  if (filters.paymentMethod) add(w, 't.payment_method = ?::payment_method', filters.paymentMethod);
  if (filters.from) add(w, 't.created_at >= ?::timestamptz', filters.from);
  if (filters.to) add(w, 't.created_at < ?::timestamptz', filters.to);
  return w;
}

/** An opaque cursor: the last row's exact timestamp (microseconds, UTC) and id, as `cursor_ts` and PostgreSQL print them. */
export function encodeCursor(ts: string, id: string): string {
  return Buffer.from(JSON.stringify([ts, id])).toString('base64url');
}

// Exactly what encodeCursor is given: to_char(... 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') and a lower-case uuid.
const CURSOR_TS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const CURSOR_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Accepts a cursor only in the exact form this API issues: strictly parsed, not signed. The
 * cursor carries no authority (the caller's scope comes from the token and is applied to every
 * page), so a hand-made cursor can only seek inside rows the caller may page through anyway; what
 * must never happen is a value PostgreSQL refuses. So both parts are checked against the issuing
 * grammar (a bounded, real timestamp; a canonical uuid) and the cursor must re-encode to itself
 * byte for byte, which refuses padding, whitespace, extra JSON and every other variant. Unlike an
 * HMAC, this needs no key shared by every replica and survives restarts and key rotations.
 */
export function decodeCursor(cursor: string): [string, string] {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2) {
      const [ts, id] = v as unknown[];
      if (
        typeof ts === 'string' &&
        CURSOR_TS.test(ts) &&
        isBoundedDateTime(ts) &&
        typeof id === 'string' &&
        CURSOR_ID.test(id) &&
        encodeCursor(ts, id) === cursor
      )
        return [ts, id];
    }
  } catch {
    // falls through to the refusal
  }
  throw TransactionErrors.invalidCursor();
}

export class PostgresTransactionReadRepository implements TransactionReadRepository {
  private readonly orm: Orm;

  constructor(orm: Orm) {
    this.orm = orm;
  }

  async list(scope: Scope, filters: HistoryFilters, paging: Paging): Promise<HistoryPage> {
    const external = scope.kind === 'external';
    const from = `from historical_transactions t${external ? ' join users u on u.id = t.user_id' : ''}`;
    const select = `select ${COLUMNS}${external ? ', u.phone' : ''} ${from}`;
    const w = whereOf(scope, filters);
    const conditions = [...w.sql];
    const params = [...w.params];
    let offset = 0;
    if (paging.mode === 'cursor' && paging.cursor) {
      const [ts, id] = decodeCursor(paging.cursor);
      conditions.push('(t.created_at, t.id) < (?::timestamptz, ?::uuid)');
      params.push(ts, id);
    } else if (paging.mode === 'page') offset = (paging.page - 1) * paging.size;
    const rows = await query(this.orm, `${select} where ${conditions.join(' and ')} order by t.created_at desc, t.id desc limit ? offset ?`, [
      ...params,
      paging.size + 1,
      offset,
    ]);
    const more = rows.length > paging.size;
    const page = rows.slice(0, paging.size);
    const last = page[page.length - 1];
    const nextCursor = more && last ? encodeCursor(last.cursor_ts as string, last.id as string) : null;
    let total: number | undefined;
    if (paging.mode === 'page') {
      const [c] = await query<{ n: string }>(this.orm, `select count(*)::text as n from historical_transactions t where ${w.sql.join(' and ')}`, w.params);
      total = Number(c!.n);
    }
    return { rows: page.map((r) => toView(r, external)), total, nextCursor };
  }

  async findOne(scope: Scope, idOrTransactionId: string): Promise<TransactionView | null> {
    const external = scope.kind === 'external';
    const w = whereOf(scope, {});
    const byId = UUID.test(idOrTransactionId) ? '(t.id = ?::uuid or t.transaction_id = ?)' : 't.transaction_id = ?';
    const idParams = UUID.test(idOrTransactionId) ? [idOrTransactionId, idOrTransactionId] : [idOrTransactionId];
    const rows = await query(
      this.orm,
      `select ${COLUMNS}${external ? ', u.phone' : ''} from historical_transactions t${external ? ' join users u on u.id = t.user_id' : ''} where ${[...w.sql, byId].join(' and ')} limit 1`,
      [...w.params, ...idParams],
    );
    return rows[0] ? toView(rows[0], external) : null;
  }

  async *streamExternal(from: Date, to: Date, batchSize = 2000): AsyncIterable<TransactionView> {
    let after: [string, string] | null = null;
    for (;;) {
      const params: unknown[] = [from, to];
      let keyset = '';
      if (after) {
        keyset = ' and (t.created_at, t.id) > (?::timestamptz, ?::uuid)';
        params.push(after[0], after[1]);
      }
      const rows = await query(
        this.orm,
        `select ${COLUMNS}, u.phone from historical_transactions t join users u on u.id = t.user_id
         where t.is_accessible_external = true and t.created_at >= ?::timestamptz and t.created_at < ?::timestamptz${keyset}
         order by t.created_at, t.id limit ?`,
        [...params, batchSize],
      );
      for (const r of rows) yield toView(r, true);
      if (rows.length < batchSize) return;
      const last = rows[rows.length - 1]!;
      after = [last.cursor_ts as string, last.id as string];
    }
  }

  async monthly(userId: number, year: number, month: number): Promise<MonthlyReport> {
    const bounds = `make_timestamptz(?, ?, 1, 0, 0, 0, '${BUSINESS_TIME_ZONE}')`;
    const balanceBefore = async (endExpr: string, params: unknown[]) => {
      const [r] = await query<{ b: string }>(
        this.orm,
        `select balance_after::text as b from historical_transactions where user_id = ? and created_at < ${endExpr} order by created_at desc, id desc limit 1`,
        [userId, ...params],
      );
      return r?.b ?? '0.00';
    };
    const opening = await balanceBefore(bounds, [year, month]);
    const closing = await balanceBefore(`(${bounds} + interval '1 month')`, [year, month]);
    const rows = await query<{ type: string; in_count: string; in_amount: string; out_count: string; out_amount: string }>(
      this.orm,
      `select transaction_type::text as type,
         count(*) filter (where balance_after > balance_before)::text as in_count,
         coalesce(sum(balance_after - balance_before) filter (where balance_after > balance_before), 0)::numeric(20,2)::text as in_amount,
         count(*) filter (where balance_after < balance_before)::text as out_count,
         coalesce(sum(balance_before - balance_after) filter (where balance_after < balance_before), 0)::numeric(20,2)::text as out_amount
       from historical_transactions
       where user_id = ? and created_at >= ${bounds} and created_at < (${bounds} + interval '1 month')
       group by 1 order by 1`,
      [userId, year, month, year, month],
    );
    const sum = (k: 'in_amount' | 'out_amount') => rows.reduce((acc, r) => acc + toMinor(r[k]), 0n);
    const [acct] = await query<{ currency: string }>(this.orm, `select currency from accounts where user_id = ?`, [userId]);
    return {
      year,
      month,
      currency: acct?.currency ?? 'IDR',
      openingBalance: opening,
      closingBalance: closing,
      totalIn: formatMinor(sum('in_amount')),
      totalOut: formatMinor(sum('out_amount')),
      byType: rows.map((r) => ({ type: r.type, inCount: Number(r.in_count), inAmount: r.in_amount, outCount: Number(r.out_count), outAmount: r.out_amount })),
    };
  }

  async reportLines(fromDay: string, toDay: string, granularity: 'day' | 'month'): Promise<ReportLine[]> {
    const period = granularity === 'month' ? `to_char(day, 'YYYY-MM')` : `to_char(day, 'YYYY-MM-DD')`;
    const rows = await query<{ period: string; type: string; status: string; method: string; n: string; amount: string }>(
      this.orm,
      `select ${period} as period, transaction_type::text as type, transaction_status::text as status, payment_method as method,
         sum(tx_count)::text as n, sum(amount)::numeric(20,2)::text as amount
       from transaction_daily_aggregates
       where is_accessible_external = true and day >= ?::date and day <= ?::date
       group by 1, 2, 3, 4 having sum(tx_count) > 0 order by 1, 2, 3, 4`,
      [fromDay, toDay],
    );
    return rows.map((r) => ({ period: r.period, type: r.type, status: r.status, paymentMethod: r.method || null, count: Number(r.n), amount: r.amount }));
  }

  async refusalCounts(fromDay: string, toDay: string): Promise<RefusalCount[]> {
    const rows = await query<{ rule: string; code: string; n: string; amount: string }>(
      this.orm,
      `select rule, code, count(*)::text as n, coalesce(sum(amount), 0)::numeric(20,2)::text as amount
         from movement_refusals
        where refused_at >= (?::date)::timestamp at time zone '${BUSINESS_TIME_ZONE}'
          and refused_at < (?::date + 1)::timestamp at time zone '${BUSINESS_TIME_ZONE}'
        group by rule, code order by rule, code`,
      [fromDay, toDay],
    );
    return rows.map((r) => ({ rule: r.rule, code: r.code, count: Number(r.n), amount: r.amount }));
  }
}
