import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type RunningPlatform } from '../../src/entrypoints/shared/platform.ts';
import { transactionModule } from '../../src/entrypoints/transaction/transaction.module.ts';
import { allModules } from '../../src/entrypoints/all-in-one/modules.ts';
import { accessTokenFor } from '../support/tokens.ts';
import { realServicesConfig, uniq } from '../support/services.ts';
import { createTxUser, eventually, insertTx, issueTestKey, type InsertedTx, type TxUser } from '../support/transaction-fixtures.ts';
import type { Orm } from '../../src/adapters/persistence/orm.ts';
import { apiClient } from '../support/api-client.ts';

const topic = uniq('tx-events-reg-');
const config = () => realServicesConfig({ KAFKA_TOPIC_TRANSACTIONS: topic, KAFKA_CONSUMER_GROUP: uniq('grp-') });
let p: RunningPlatform;
let orm: Orm;
let user: TxUser;
let other: TxUser;
const rows: InsertedTx[] = [];
let hidden: InsertedTx;
// A window of their own, far in the past, so other suites' rows never fall into it.
const day = `20${10 + Math.floor(Math.random() * 9)}-0${1 + Math.floor(Math.random() * 9)}-1${Math.floor(Math.random() * 9)}`;
const at = (h: number) => new Date(`${day}T0${h}:00:00+07:00`);

beforeAll(async () => {
  p = await startPlatform({ service: 'transaction-service', modules: [transactionModule], config: config() });
  orm = p.infra.orm;
  user = await createTxUser(orm);
  other = await createTxUser(orm);
  rows.push(await insertTx(orm, user, { type: 'TOPUP', amount: '50000.00', before: '100000.00', after: '50000.00', createdAt: at(1) }));
  rows.push(await insertTx(orm, user, { type: 'PAYMENT', status: 'PENDING', amount: '1234.56', method: null, createdAt: at(2) }));
  rows.push(await insertTx(orm, other, { type: 'TRANSFER', amount: '777.00', method: 'SHOPEE_PAY', createdAt: at(3) }));
  rows.push(await insertTx(orm, user, { type: 'REFUND', status: 'FAILED', amount: '10.00', createdAt: at(4) }));
  rows.push(await insertTx(orm, other, { type: 'PAYMENT', amount: '99.99', createdAt: at(5) }));
  hidden = await insertTx(orm, user, { type: 'PAYMENT', amount: '5.00', accessible: false, createdAt: at(6) });
});
afterAll(async () => {
  await p?.stop();
});

/** The typed client with a regulator's key (X-API-Key); every answer is checked against the document. */
const regulator = (key?: string, headers: Record<string, string> = {}, base: RunningPlatform = p) => apiClient(base, { apiKey: key, headers });
type HistoryQuery = {
  from?: string;
  to?: string;
  size?: number;
  page?: number;
  cursor?: string;
  type?: 'TOPUP' | 'PAYMENT' | 'REFUND' | 'TRANSFER';
  status?: 'PENDING' | 'SUCCESS' | 'FAILED' | 'CANCELLED';
  payment_method?: 'GOPAY' | 'SHOPEE_PAY';
};
const histories = (key: string | undefined, query: HistoryQuery = {}, headers: Record<string, string> = {}, base: RunningPlatform = p) =>
  regulator(key, headers, base).GET('/api/transaction/histories', { params: { query } });
const oneRow = (key: string, id: string, headers: Record<string, string> = {}) =>
  regulator(key, headers).GET('/api/transaction/histories/{id}', { params: { path: { id } } });
const report = (key: string, query: Record<string, string>, headers: Record<string, string> = {}) =>
  regulator(key, headers).GET('/api/transaction/reports', { params: { query: query as never } });
const exported = (key: string, query: Record<string, string>) =>
  regulator(key).GET('/api/transaction/histories/export', { params: { query: query as never }, parseAs: 'text' });
/** A query string as sent by a client that does not use the types (the server must refuse what they would). */
const untyped = (qs: string) => Object.fromEntries(new URLSearchParams(qs)) as never;
const ids = (data: { transaction_id: string }[] | undefined) => (data ?? []).map((d) => d.transaction_id);
const windowParams = { from: at(0).toISOString(), to: at(7).toISOString() };
describe('regulator histories', () => {
  it('lists only externally accessible rows, newest first, with page meta and masked personal data', async () => {
    const { key } = await issueTestKey(orm, { permissions: ['READ_TRANSACTIONS'] });
    const r = await histories(key, { ...windowParams, size: 10 });
    expect(r.response.status).toBe(200);
    const data = r.data!.data;
    const text = JSON.stringify(r.data);
    expect(ids(data)).toEqual([...rows].reverse().map((x) => x.transactionId));
    expect(r.data?.meta).toMatchObject({ code: '200', page: 1, size: 10, total: 5 });
    expect(ids(data)).not.toContain(hidden.transactionId);
    const mine = data.find((d) => d.transaction_id === rows[0]!.transactionId)!;
    expect(mine).toMatchObject({
      transaction_type: 'TOPUP',
      amount: '50000.00',
      currency: 'IDR',
      user: { id: user.userId, phone: `${user.phone.slice(0, 6)}****${user.phone.slice(-4)}` },
    });
    expect(mine).not.toHaveProperty('email');
    for (const u of [user, other]) {
      expect(text).not.toContain(u.email);
      expect(text).not.toContain(u.phone);
      expect(text).not.toContain(u.phone.slice(6, 10));
      expect(text).not.toContain(u.username);
    }
  });

  it('filters by type, status and payment method, and pages by size', async () => {
    const { key } = await issueTestKey(orm);
    const byType = await histories(key, { ...windowParams, type: 'PAYMENT' });
    expect(ids(byType.data?.data)).toEqual([rows[4]!.transactionId, rows[1]!.transactionId]);
    const byStatus = await histories(key, { ...windowParams, status: 'FAILED' });
    expect(ids(byStatus.data?.data)).toEqual([rows[3]!.transactionId]);
    const byMethod = await histories(key, { ...windowParams, payment_method: 'SHOPEE_PAY' });
    expect(ids(byMethod.data?.data)).toEqual([rows[2]!.transactionId]);
    const page2 = await histories(key, { ...windowParams, page: 2, size: 2 });
    expect(ids(page2.data?.data)).toEqual([rows[2]!.transactionId, rows[1]!.transactionId]);
    expect(page2.data?.meta).toMatchObject({ page: 2, size: 2, total: 5 });
  });

  it('walks every row once with an opaque cursor', async () => {
    const { key } = await issueTestKey(orm);
    const seen: string[] = [];
    let cursor = '';
    for (let i = 0; i < 10; i++) {
      const r = await histories(key, { ...windowParams, size: 2, cursor });
      expect(r.response.status).toBe(200);
      seen.push(...ids(r.data?.data));
      if (!r.data?.meta.next_cursor) break;
      cursor = r.data.meta.next_cursor;
    }
    expect(seen).toEqual([...rows].reverse().map((x) => x.transactionId));
    const bad = await histories(key, { cursor: 'not-a-cursor' });
    expect(bad.response.status).toBe(400);
    expect(bad.error?.meta.error).toBe('INVALID_CURSOR');
    const both = await histories(key, { cursor: '', page: 1 });
    expect(both.response.status).toBe(400);
  });

  it('answers one row by id or transaction_id, and 404 for hidden or unknown rows', async () => {
    const { key } = await issueTestKey(orm);
    const byId = await oneRow(key, rows[2]!.id);
    expect(byId.response.status).toBe(200);
    expect(byId.data?.data).toMatchObject({
      transaction_id: rows[2]!.transactionId,
      user: { phone: `${other.phone.slice(0, 6)}****${other.phone.slice(-4)}` },
    });
    expect(JSON.stringify(byId.data)).not.toContain(other.email);
    expect(JSON.stringify(byId.data)).not.toContain(other.phone);
    const byTx = await oneRow(key, rows[2]!.transactionId);
    expect(byTx.data?.data).toEqual(byId.data?.data);
    expect((await oneRow(key, hidden.id)).response.status).toBe(404);
    expect((await oneRow(key, hidden.transactionId)).response.status).toBe(404);
    const unknown = await oneRow(key, 'TRX-NOPE');
    expect(unknown.response.status).toBe(404);
    expect(unknown.error?.meta.error).toBe('TRANSACTION_NOT_FOUND');
  });

  it('validates its query: 400 in the envelope', async () => {
    const { key } = await issueTestKey(orm);
    for (const q of [
      'size=101',
      'size=0',
      'page=0',
      'type=LOAN',
      'status=x',
      'from=yesterday',
      'from=2026-02-30',
      `from=${at(5).toISOString()}&to=${at(1).toISOString()}`,
    ]) {
      const r = await histories(key, untyped(q));
      expect(r.response.status, q).toBe(400);
      expect(r.error?.meta.code).toBe('400');
    }
  });
});

describe('regulator export', () => {
  it('streams NDJSON of the window, oldest first, masked', async () => {
    const { key } = await issueTestKey(orm);
    const r = await exported(key, { ...windowParams, format: 'ndjson' });
    expect(r.response.status).toBe(200);
    expect(r.response.headers.get('content-type')).toContain('application/x-ndjson');
    const text = r.data!;
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { transaction_id: string; user: { phone: string } });
    expect(lines.map((l) => l.transaction_id)).toEqual(rows.map((x) => x.transactionId));
    expect(text).not.toContain(user.phone);
    expect(text).not.toContain(user.email);
  });

  it('streams CSV with a header row', async () => {
    const { key } = await issueTestKey(orm);
    const r = await exported(key, { ...windowParams, format: 'csv' });
    expect(r.response.status).toBe(200);
    expect(r.response.headers.get('content-type')).toContain('text/csv');
    const text = r.data!;
    const lines = text.trim().split('\r\n');
    expect(lines[0]).toBe(
      'id,transaction_id,transaction_type,transaction_status,amount,currency,payment_method,external_reference,created_at,updated_at,account_id,user_id,user_phone,merchant_code,merchant_name',
    );
    expect(lines).toHaveLength(6);
    expect(lines[1]).toContain(rows[0]!.transactionId);
    expect(lines[1]).toContain('50000.00');
    expect(text).not.toContain(user.phone);
    expect(text).not.toContain(user.email);
  });

  it('requires from and to', async () => {
    const { key } = await issueTestKey(orm);
    expect((await exported(key, {})).response.status).toBe(400);
    expect((await exported(key, { from: day })).response.status).toBe(400);
    expect((await exported(key, { from: day, to: day, format: 'xml' })).response.status).toBe(400);
  });
});

describe('regulator refusals, each audited in api_access_logs', () => {
  it('401 for a missing, malformed, unknown, revoked or expired key and an inactive service; 403 for a missing permission or address; 400 for a key in the query string', async () => {
    const reqs: { id: string; status: number; error: string; serviceId: string | null; keyId: string | null; path: string }[] = [];
    type Call = (
      key: string | undefined,
      headers: Record<string, string>,
    ) => Promise<{ response: Response; error?: { meta: { code: string; error?: string } } }>;
    const list =
      (query: Record<string, string> = {}): Call =>
      (key, headers) =>
        histories(key, untyped(new URLSearchParams(query).toString()), headers);
    const send = async (path: string, call: Call, key: string | undefined, status: number, error: string, serviceId: string | null, keyId: string | null) => {
      const id = uniq('rq');
      const r = await call(key, { 'X-Request-Id': id, 'User-Agent': 'regulator-test/1.0' });
      expect(r.response.status, `${path} ${error}`).toBe(status);
      expect(r.error?.meta).toMatchObject({ code: String(status), error });
      reqs.push({ id, status, error, serviceId, keyId, path });
    };
    const H = '/api/transaction/histories';
    const live = await issueTestKey(orm, { permissions: ['READ_TRANSACTIONS'] });
    const revoked = await issueTestKey(orm);
    await revoked.admin.revokeKey.execute(revoked.apiKey.id);
    const expired = await issueTestKey(orm, { expiresAt: new Date(Date.now() + 60_000) });
    await orm.em.getConnection().execute(`update api_keys set expires_at = now() - interval '1 second' where id = ?`, [expired.apiKey.id]);
    const inactive = await issueTestKey(orm);
    await inactive.admin.deactivateService.execute(inactive.service.id);
    const elsewhere = await issueTestKey(orm, { allowedIps: ['10.20.30.40', '192.168.0.0/16'] });
    const { generateApiKey } = await import('../../src/domain/regulator/api-key.ts');

    await send(H, list(), undefined, 401, 'API_KEY_MISSING', null, null);
    await send(H, list(), 'not-a-key', 401, 'API_KEY_INVALID', null, null);
    await send(H, list(), generateApiKey().key, 401, 'API_KEY_INVALID', null, null);
    await send(H, list(), live.key.slice(0, 17) + 'x'.repeat(43), 401, 'API_KEY_INVALID', null, null);
    await send(H, list(), revoked.key, 401, 'API_KEY_REVOKED', revoked.service.id, revoked.apiKey.id);
    await send(H, list(), expired.key, 401, 'API_KEY_EXPIRED', expired.service.id, expired.apiKey.id);
    await send(H, list(), inactive.key, 401, 'SERVICE_INACTIVE', inactive.service.id, inactive.apiKey.id);
    await send(H, list(), elsewhere.key, 403, 'IP_NOT_ALLOWED', elsewhere.service.id, elsewhere.apiKey.id);
    await send(
      '/api/transaction/reports',
      (key, headers) => report(key!, { from: day, to: day }, headers),
      live.key,
      403,
      'PERMISSION_DENIED',
      live.service.id,
      live.apiKey.id,
    );
    await send(H, list({ api_key: live.key }), undefined, 400, 'API_KEY_IN_QUERY', null, null);
    await send(H, list({ x: live.key }), live.key, 400, 'API_KEY_IN_QUERY', null, null);
    await send(
      `${H}/does-not-exist`,
      (key, headers) => oneRow(key!, 'does-not-exist', headers),
      live.key,
      404,
      'TRANSACTION_NOT_FOUND',
      live.service.id,
      live.apiKey.id,
    );
    await send(H, list({ size: '500' }), live.key, 400, 'VALIDATION_ERROR', live.service.id, live.apiKey.id);

    const logged = await eventually(async () => {
      const found = (await orm.em.getConnection().execute(
        `select request_id, response_status, error_code, external_service_id, api_key_id, endpoint, http_method::text as method, ip_address, user_agent, duration_ms
         from api_access_logs where request_id in (${reqs.map(() => '?').join(',')})`,
        reqs.map((r) => r.id),
      )) as Record<string, unknown>[];
      expect(found).toHaveLength(reqs.length);
      return found;
    });
    for (const r of reqs) {
      const row = logged.find((l) => l.request_id === r.id)!;
      expect(row, r.error).toMatchObject({
        response_status: r.status,
        error_code: r.error,
        endpoint: r.path,
        method: 'GET',
        ip_address: '127.0.0.1',
        user_agent: 'regulator-test/1.0',
      });
      expect(row, r.error).toMatchObject({ external_service_id: r.serviceId, api_key_id: r.keyId });
      expect(Number(row.duration_ms)).toBeGreaterThanOrEqual(0);
    }
    // The key sent in the query string is stored nowhere.
    const leaked = (await orm.em
      .getConnection()
      .execute(`select count(*)::int as n from api_access_logs where endpoint like ? or user_agent like ?`, [`%${live.key}%`, `%${live.key}%`])) as {
      n: number;
    }[];
    expect(leaked[0]!.n).toBe(0);
  });

  it('logs allowed requests with the service and key', async () => {
    const k = await issueTestKey(orm);
    const id = uniq('ok');
    expect((await histories(k.key, { size: 1 }, { 'X-Request-Id': id })).response.status).toBe(200);
    const row = await eventually(async () => {
      const [r] = (await orm.em.getConnection().execute(`select * from api_access_logs where request_id = ?`, [id])) as Record<string, unknown>[];
      expect(r).toBeDefined();
      return r!;
    });
    expect(row).toMatchObject({ external_service_id: k.service.id, api_key_id: k.apiKey.id, response_status: 200, endpoint: '/api/transaction/histories' });
  });

  it('loses no access-log entry when the server stops right after the requests', async () => {
    const p4 = await startPlatform({ service: 'transaction-service', modules: [transactionModule], config: config() });
    const k = await issueTestKey(orm);
    const ids: string[] = [];
    await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const id = uniq('sd');
        ids.push(id);
        await histories(i % 3 === 0 ? 'wrong' : k.key, { size: 1 }, { 'X-Request-Id': id }, p4);
      }),
    );
    await p4.stop();
    const [{ n }] = (await orm.em
      .getConnection()
      .execute(`select count(*)::int as n from api_access_logs where request_id in (${ids.map(() => '?').join(',')})`, ids)) as [{ n: number }];
    expect(n).toBe(30);
  });

  it('keeps a rotated key working during the overlap, then refuses it', async () => {
    const k = await issueTestKey(orm);
    const rotated = await k.admin.rotateKey.execute(k.apiKey.id, 3600);
    expect((await histories(k.key, { size: 1 })).response.status).toBe(200);
    expect((await histories(rotated.key, { size: 1 })).response.status).toBe(200);
    const immediate = await k.admin.rotateKey.execute(rotated.apiKey.id, 0);
    expect((await histories(rotated.key, { size: 1 })).error?.meta.error).toBe('API_KEY_EXPIRED');
    expect((await histories(immediate.key, { size: 1 })).response.status).toBe(200);
  });
});

describe('regulator rate limits', () => {
  it('allows exactly the limit with X-RateLimit headers, then answers 429 with Retry-After', async () => {
    // A per-minute limit: GCRA refills one request every 20 s here, so a slow machine cannot blur the count.
    const { key, apiKey } = await issueTestKey(orm, { rateLimits: { minute: 3, day: 1000 } });
    const seen = [];
    for (let i = 0; i < 3; i++) {
      const r = await histories(key, { size: 1 });
      seen.push([r.response.status, r.response.headers.get('x-ratelimit-limit'), r.response.headers.get('x-ratelimit-remaining')]);
    }
    expect(seen).toEqual([
      [200, '3', '2'],
      [200, '3', '1'],
      [200, '3', '0'],
    ]);
    const refused = await histories(key, { size: 1 });
    const headers = refused.response.headers;
    expect(refused.response.status).toBe(429);
    expect(refused.error?.meta.error).toBe('RATE_LIMITED');
    expect(Number(headers.get('retry-after'))).toBeGreaterThanOrEqual(15);
    expect(Number(headers.get('retry-after'))).toBeLessThanOrEqual(20);
    expect(headers.get('x-ratelimit-limit')).toBe('3');
    expect(headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(headers.get('x-ratelimit-reset'))).toBeGreaterThanOrEqual(55);
    expect((await histories(key, { size: 1 })).response.status).toBe(429);
    await eventually(async () => {
      const found = (await orm.em
        .getConnection()
        .execute(`select response_status from api_access_logs where api_key_id = ? and response_status = 429`, [apiKey.id])) as unknown[];
      expect(found).toHaveLength(2);
    });
  });

  it('resets a per-second limit after the window', async () => {
    const { key } = await issueTestKey(orm, { rateLimits: { second: 3 } });
    const burst = async () => (await Promise.all(Array.from({ length: 4 }, () => histories(key, { size: 1 })))).map((r) => r.response.status).sort();
    expect(await burst()).toEqual([200, 200, 200, 429]);
    await new Promise((r) => setTimeout(r, 1100));
    expect(await burst()).toEqual([200, 200, 200, 429]);
  });

  it('shares the counts between two server instances', async () => {
    const p2 = await startPlatform({ service: 'transaction-service', modules: [transactionModule], config: config() });
    try {
      const { key } = await issueTestKey(orm, { rateLimits: { minute: 4 } });
      const statuses = [];
      for (const base of [p, p2, p, p2, p, p2]) statuses.push((await histories(key, { size: 1 }, {}, base)).response.status);
      expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    } finally {
      await p2.stop();
    }
  });

  it('refuses regulators with 503 when Redis is down rather than serve them without limits', async () => {
    const p3 = await startPlatform({
      service: 'transaction-service',
      modules: [transactionModule],
      config: realServicesConfig({ REDIS_URL: 'redis://127.0.0.1:1', KAFKA_TOPIC_TRANSACTIONS: topic, KAFKA_CONSUMER_GROUP: uniq('grp-') }),
    });
    try {
      const { key } = await issueTestKey(orm);
      const r = await histories(key, { size: 1 }, {}, p3);
      expect(r.response.status).toBe(503);
      expect(r.error?.meta.error).toBe('RATE_LIMITER_UNAVAILABLE');
    } finally {
      await p3.stop();
    }
  });
});

describe('regulator reports', () => {
  it('match a direct SQL aggregate over historical_transactions, by day and by month', async () => {
    const { key } = await issueTestKey(orm, { permissions: ['READ_REPORTS'] });
    // The payment service announces every change; here the suite plays that role.
    const all = [...rows, hidden];
    const events = all.map((r) => ({
      key: user.accountId,
      value: JSON.stringify({
        event_id: crypto.randomUUID(),
        event_type: 'transaction.created',
        occurred_at: new Date().toISOString(),
        key: user.accountId,
        payload: { transaction_id: r.transactionId, user_id: user.userId },
      }),
    }));
    await p.infra.events.publish(topic, events);
    // A status change, announced afterwards, and every event delivered twice.
    await orm.em
      .getConnection()
      .execute(`update historical_transactions set transaction_status = 'SUCCESS' where transaction_id = ?`, [rows[1]!.transactionId]);
    const change = {
      key: user.accountId,
      value: JSON.stringify({
        event_id: crypto.randomUUID(),
        event_type: 'transaction.updated',
        occurred_at: new Date().toISOString(),
        key: user.accountId,
        payload: { transaction_id: rows[1]!.transactionId, previous_status: 'PENDING' },
      }),
    };
    // A last, distinct event: once it is processed, everything before it in the partition is too.
    const sentinel = crypto.randomUUID();
    const last = {
      key: user.accountId,
      value: JSON.stringify({
        event_id: sentinel,
        event_type: 'transaction.updated',
        occurred_at: new Date().toISOString(),
        key: user.accountId,
        payload: { transaction_id: rows[0]!.transactionId },
      }),
    };
    await p.infra.events.publish(topic, [change, ...events, change, last]);
    await eventually(async () => {
      const done = (await orm.em
        .getConnection()
        .execute(`select 1 from processed_messages where consumer = ? and event_id = ?`, [p.infra.config.KAFKA_CONSUMER_GROUP, sentinel])) as unknown[];
      expect(done).toHaveLength(1);
    }, 30_000);

    const sql = async (granularity: 'day' | 'month') =>
      (await orm.em.getConnection().execute(
        `select to_char((created_at at time zone 'Asia/Jakarta')::date, ?) as period, transaction_type::text as transaction_type, transaction_status::text as transaction_status,
           payment_method::text as payment_method, count(*)::int as count, sum(amount)::numeric(20,2)::text as amount
         from historical_transactions where is_accessible_external and (created_at at time zone 'Asia/Jakarta')::date between ?::date and ?::date
         group by 1, 2, 3, 4 order by 1, 2, 3, 4 nulls first`,
        [granularity === 'day' ? 'YYYY-MM-DD' : 'YYYY-MM', day, day],
      )) as Record<string, unknown>[];
    const sortLines = (l: Record<string, unknown>[]) => [...l].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

    const expected = await sql('day');
    expect(expected.find((l) => l.transaction_type === 'PAYMENT' && l.transaction_status === 'SUCCESS' && l.payment_method === null)).toBeDefined();
    const daily = await eventually(async () => {
      const r = await report(key, { from: day, to: day, granularity: 'day' });
      expect(r.response.status).toBe(200);
      expect(sortLines(r.data!.data.series)).toEqual(sortLines(expected.map((l) => ({ ...l, payment_method: l.payment_method ?? null }))));
      return r.data!.data;
    });
    expect(daily.totals.count).toBe(5);
    expect(daily.totals.amount).toBe('52121.55');
    expect(daily.totals.by_type.PAYMENT).toEqual({ count: 2, amount: '1334.55' });

    const monthly = await report(key, { from: day, to: day, granularity: 'month' });
    expect(sortLines(monthly.data!.data.series)).toEqual(sortLines((await sql('month')).map((l) => ({ ...l, payment_method: l.payment_method ?? null }))));
    // The duplicates changed nothing: the read model's counts equal the rows.
    const [{ n }] = (await orm.em
      .getConnection()
      .execute(`select coalesce(sum(tx_count), 0)::int as n from transaction_daily_aggregates where day = ?::date`, [day])) as [{ n: number }];
    expect(n).toBe(6);
  });

  it('validates the range', async () => {
    const { key } = await issueTestKey(orm, { permissions: ['READ_REPORTS'] });
    expect((await report(key, { from: day })).response.status).toBe(400);
    expect((await report(key, { from: '2026-02-01', to: '2026-01-01' })).error?.meta.error).toBe('INVALID_RANGE');
    expect((await report(key, { from: '2020-01-01', to: '2026-01-01' })).response.status).toBe(400);
    expect((await report(key, { from: '2026-01-01', to: '2026-01-31', granularity: 'week' })).response.status).toBe(400);
  });
});

describe('the same routes from the all-in-one', () => {
  it('serves regulators and users alike', async () => {
    const all = await startPlatform({ service: 'all-in-one', modules: allModules, config: config() });
    try {
      const { key } = await issueTestKey(orm);
      const r = await histories(key, windowParams, {}, all);
      expect(r.response.status).toBe(200);
      expect(r.data?.meta.total).toBe(5);
      expect(JSON.stringify(r.data)).not.toContain(user.phone);
      const token = accessTokenFor(all, { userId: user.userId, username: user.username });
      const mine = await apiClient(all, { token }).GET('/api/transaction/me/histories/{id}', { params: { path: { id: rows[0]!.transactionId } } });
      expect(mine.response.status).toBe(200);
      expect(mine.data?.data.balance_after).toBe('50000.00');
      expect((await histories(undefined, {}, {}, all)).response.status).toBe(401);
    } finally {
      await all.stop();
    }
  });
});
