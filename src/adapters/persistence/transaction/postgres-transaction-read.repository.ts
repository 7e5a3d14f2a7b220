import type { ExpressionBuilder, InferResult, SelectQueryBuilder } from 'kysely';
import type { Kysely } from '@mikro-orm/sql';
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
import type { PaymentMethod, TransactionStatus, TransactionType } from '../../../domain/ledger/transaction.ts';
import type { Orm } from '../orm.ts';
import { kysely, type Database } from '../kysely.ts';
import { TransactionErrors } from '../../../domain/transaction/transaction.errors.ts';

/** Days, months and monthly reports follow Indonesian Western Time, the platform's business day. */
export const BUSINESS_TIME_ZONE = 'Asia/Jakarta';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Db = Kysely<Database>;
const rowsOf = (db: Db) => db.selectFrom('historical_transactions as t');
/** The expression builder of a query over `historical_transactions as t`. */
type EB = ReturnType<typeof rowsOf> extends SelectQueryBuilder<infer DB, infer TB, infer _O> ? ExpressionBuilder<DB, TB> : never;

/**
 * The merchant of a PAYMENT or REFUND row: the code the row carries, the name the merchant has now.
 * CASE keeps the jsonb cast to the rows the ledger writes as JSON (other rows' metadata may be text);
 * jsonb_extract_path_text(m, k) is `m ->> k`.
 */
const merchantOf = (eb: EB) =>
  eb
    .selectFrom('merchants as mc')
    .select((e) =>
      // The keys as text parameters: json_build_object takes "any", for which PostgreSQL infers no type.
      e.fn<{ code: string; name: string }>('json_build_object', [e.cast(e.val('code'), 'text'), 'mc.code', e.cast(e.val('name'), 'text'), 'mc.name']).as('m'),
    )
    .where(
      'mc.code',
      '=',
      eb
        .case()
        .when('t.transaction_type', 'in', ['PAYMENT', 'REFUND'])
        .then(eb.fn<string>('jsonb_extract_path_text', [eb.cast('t.metadata', 'jsonb'), eb.val('merchant_id')]))
        .end(),
    );

/**
 * A history row: numerics as Money, timestamps as Date; `cursor_ts` is the row's exact timestamp
 * (microseconds, UTC) as the cursor carries it, which a Date (milliseconds) would round.
 */
const history = (db: Db) =>
  rowsOf(db).select((eb) => [
    't.id',
    't.transaction_id',
    't.user_id',
    't.account_id',
    't.transaction_type',
    't.transaction_status',
    't.amount',
    't.balance_before',
    't.balance_after',
    't.currency',
    't.payment_method',
    't.description',
    't.external_reference',
    't.created_at',
    't.updated_at',
    eb.fn<string>('to_char', [eb.fn('timezone', [eb.val('UTC'), 't.created_at']), eb.val('YYYY-MM-DD"T"HH24:MI:SS.US"Z"')]).as('cursor_ts'),
    merchantOf(eb).as('merchant'),
  ]);
type History = ReturnType<typeof history>;
/** The regulators' side: each row with its customer's phone (masked by the application). */
const withPhone = (q: History) => q.innerJoin('users as u', 'u.id', 't.user_id').select('u.phone');
type Row = InferResult<History>[number] & { phone?: string };

function toView(r: Row, withPhone: boolean): TransactionView {
  return {
    id: r.id,
    transactionId: r.transaction_id,
    userId: Number(r.user_id),
    accountId: r.account_id,
    type: r.transaction_type,
    status: r.transaction_status,
    amount: r.amount.toString(),
    balanceBefore: r.balance_before.toString(),
    balanceAfter: r.balance_after.toString(),
    currency: r.currency,
    paymentMethod: r.payment_method ?? null,
    description: r.description ?? null,
    externalReference: r.external_reference ?? null,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    merchant: r.merchant ?? null,
    ...(withPhone ? { phone: r.phone! } : {}),
  };
}

/** The rows a scope may see, narrowed by the filters (the same conditions for a page and its count). */
function whereOf(eb: EB, scope: Scope, filters: HistoryFilters) {
  const conditions = [scope.kind === 'user' ? eb('t.user_id', '=', scope.userId) : eb('t.is_accessible_external', '=', true)];
  if (filters.type) conditions.push(eb('t.transaction_type', '=', filters.type as TransactionType));
  if (filters.status) conditions.push(eb('t.transaction_status', '=', filters.status as TransactionStatus));
  if (filters.paymentMethod) conditions.push(eb('t.payment_method', '=', filters.paymentMethod as PaymentMethod));
  if (filters.from) conditions.push(eb('t.created_at', '>=', filters.from));
  if (filters.to) conditions.push(eb('t.created_at', '<', filters.to));
  return eb.and(conditions);
}

/** `(t.created_at, t.id) <op> (cursor)`: the keyset the (created_at, id) indexes serve. */
const keyset = (eb: EB, op: '<' | '>', [ts, id]: [string, string]) =>
  eb(eb.refTuple('t.created_at', 't.id'), op, eb.tuple(eb.cast<Date>(eb.val(ts), 'timestamptz'), eb.cast<string>(eb.val(id), 'uuid')));

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
    const db = kysely(this.orm.em.fork());
    const cursor = paging.mode === 'cursor' && paging.cursor ? decodeCursor(paging.cursor) : null;
    const offset = paging.mode === 'page' ? (paging.page - 1) * paging.size : 0;
    const q = history(db)
      .where((eb) => (cursor ? eb.and([whereOf(eb, scope, filters), keyset(eb, '<', cursor)]) : whereOf(eb, scope, filters)))
      .orderBy('t.created_at', 'desc')
      .orderBy('t.id', 'desc')
      .limit(paging.size + 1)
      .offset(offset);
    const rows: Row[] = await (external ? withPhone(q) : q).execute();
    const more = rows.length > paging.size;
    const page = rows.slice(0, paging.size);
    const last = page[page.length - 1];
    const nextCursor = more && last ? encodeCursor(last.cursor_ts, last.id) : null;
    let total: number | undefined;
    if (paging.mode === 'page') {
      const c = await rowsOf(db)
        .select((eb) => eb.cast<string>(eb.fn.countAll(), 'text').as('n'))
        .where((eb) => whereOf(eb, scope, filters))
        .executeTakeFirstOrThrow();
      total = Number(c.n);
    }
    return { rows: page.map((r) => toView(r, external)), total, nextCursor };
  }

  async findOne(scope: Scope, idOrTransactionId: string): Promise<TransactionView | null> {
    const external = scope.kind === 'external';
    const db = kysely(this.orm.em.fork());
    const q = history(db)
      .where((eb) =>
        eb.and([
          whereOf(eb, scope, {}),
          UUID.test(idOrTransactionId)
            ? eb.or([eb('t.id', '=', idOrTransactionId), eb('t.transaction_id', '=', idOrTransactionId)])
            : eb('t.transaction_id', '=', idOrTransactionId),
        ]),
      )
      .limit(1);
    const row: Row | undefined = await (external ? withPhone(q) : q).executeTakeFirst();
    return row ? toView(row, external) : null;
  }

  async *streamExternal(from: Date, to: Date, batchSize = 2000): AsyncIterable<TransactionView> {
    const db = kysely(this.orm.em.fork());
    let after: [string, string] | null = null;
    for (;;) {
      const cursor: [string, string] | null = after;
      const rows: Row[] = await withPhone(
        history(db)
          .where((eb) => {
            const range = [eb('t.is_accessible_external', '=', true), eb('t.created_at', '>=', from), eb('t.created_at', '<', to)];
            return eb.and(cursor ? [...range, keyset(eb, '>', cursor)] : range);
          })
          .orderBy('t.created_at')
          .orderBy('t.id')
          .limit(batchSize),
      ).execute();
      for (const r of rows) yield toView(r, true);
      if (rows.length < batchSize) return;
      const last = rows[rows.length - 1]!;
      after = [last.cursor_ts, last.id];
    }
  }

  async monthly(userId: number, year: number, month: number): Promise<MonthlyReport> {
    const db = kysely(this.orm.em.fork());
    // The month's bounds in business time: make_timestamptz(year, month, 1, 0, 0, 0, zone), and one month later.
    const start = (eb: ExpressionBuilder<Database, 'historical_transactions'>) =>
      eb.fn<Date>('make_timestamptz', [eb.val(year), eb.val(month), eb.lit(1), eb.lit(0), eb.lit(0), eb.lit(0), eb.val(BUSINESS_TIME_ZONE)]);
    const end = (eb: ExpressionBuilder<Database, 'historical_transactions'>) => eb(start(eb), '+', eb.fn<Date>('make_interval', [eb.lit(0), eb.lit(1)]));
    const balanceBefore = async (bound: typeof start) => {
      const r = await db
        .selectFrom('historical_transactions')
        .select('balance_after')
        .where('user_id', '=', userId)
        .where((eb) => eb('created_at', '<', bound(eb)))
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      return r?.balance_after.toString() ?? '0.00';
    };
    const opening = await balanceBefore(start);
    const closing = await balanceBefore(end);
    // Signed differences summed, read as text (numeric(20,2)): Money holds no sign. Grouped and
    // ordered by the type's text, as the report lists them (the enum's own order differs).
    const rows = await db
      .selectFrom('historical_transactions')
      .select((eb) => {
        const credit = eb('balance_after', '>', eb.ref('balance_before'));
        const debit = eb('balance_after', '<', eb.ref('balance_before'));
        const total = (e: typeof credit, diff: ReturnType<typeof eb.fn.sum<string>>) =>
          eb.cast<string>(eb.cast(eb.fn.coalesce(diff.filterWhere(e), eb.lit(0)), 'numeric(20, 2)'), 'text');
        return [
          eb.cast<string>('transaction_type', 'text').as('type'),
          eb.cast<string>(eb.fn.countAll().filterWhere(credit), 'text').as('in_count'),
          total(credit, eb.fn.sum<string>(eb('balance_after', '-', eb.ref('balance_before')))).as('in_amount'),
          eb.cast<string>(eb.fn.countAll().filterWhere(debit), 'text').as('out_count'),
          total(debit, eb.fn.sum<string>(eb('balance_before', '-', eb.ref('balance_after')))).as('out_amount'),
        ];
      })
      .where('user_id', '=', userId)
      .where((eb) => eb.and([eb('created_at', '>=', start(eb)), eb('created_at', '<', end(eb))]))
      .groupBy('type')
      .orderBy('type')
      .execute();
    const sum = (k: 'in_amount' | 'out_amount') => rows.reduce((acc, r) => acc + toMinor(r[k]), 0n);
    const acct = await db.selectFrom('accounts').select('currency').where('user_id', '=', userId).executeTakeFirst();
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
    // Grouped and ordered by the output columns (texts); `total`, not `amount`: the sum is no Money column.
    const rows = await kysely(this.orm.em.fork())
      .selectFrom('transaction_daily_aggregates')
      .select((eb) => [
        eb.fn<string>('to_char', ['day', eb.val(granularity === 'month' ? 'YYYY-MM' : 'YYYY-MM-DD')]).as('period'),
        eb.cast<string>('transaction_type', 'text').as('type'),
        eb.cast<string>('transaction_status', 'text').as('status'),
        'payment_method as method',
        eb.cast<string>(eb.fn.sum('tx_count'), 'text').as('n'),
        eb.cast<string>(eb.cast(eb.fn.sum('amount'), 'numeric(20, 2)'), 'text').as('total'),
      ])
      .where('is_accessible_external', '=', true)
      .where('day', '>=', fromDay)
      .where('day', '<=', toDay)
      .groupBy(['period', 'type', 'status', 'method'])
      .having((eb) => eb(eb.fn.sum('tx_count'), '>', 0))
      .orderBy('period')
      .orderBy('type')
      .orderBy('status')
      .orderBy('method')
      .execute();
    return rows.map((r) => ({ period: r.period, type: r.type, status: r.status, paymentMethod: r.method || null, count: Number(r.n), amount: r.total }));
  }

  async refusalCounts(fromDay: string, toDay: string): Promise<RefusalCount[]> {
    // The business days [fromDay, toDay] as instants: timezone(zone, day::timestamp) is `day::timestamp at time zone zone`.
    const rows = await kysely(this.orm.em.fork())
      .selectFrom('movement_refusals')
      .select((eb) => [
        'rule',
        'code',
        eb.cast<string>(eb.fn.countAll(), 'text').as('n'),
        eb.cast<string>(eb.cast(eb.fn.coalesce(eb.fn.sum('amount'), eb.lit(0)), 'numeric(20, 2)'), 'text').as('total'),
      ])
      .where((eb) => {
        const dayStart = (day: ReturnType<typeof eb.cast>) => eb.fn<Date>('timezone', [eb.val(BUSINESS_TIME_ZONE), eb.cast(day, 'timestamp')]);
        return eb.and([
          eb('refused_at', '>=', dayStart(eb.cast(eb.val(fromDay), 'date'))),
          eb('refused_at', '<', dayStart(eb(eb.cast(eb.val(toDay), 'date'), '+', eb.lit(1)))),
        ]);
      })
      .groupBy(['rule', 'code'])
      .orderBy('rule')
      .orderBy('code')
      .execute();
    return rows.map((r) => ({ rule: r.rule, code: r.code, count: Number(r.n), amount: r.total }));
  }
}
