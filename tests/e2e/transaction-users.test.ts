import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type RunningPlatform } from '../../src/entrypoints/shared/platform.ts';
import { transactionModule } from '../../src/entrypoints/transaction/transaction.module.ts';
import { realServicesConfig, uniq } from '../support/services.ts';
import { accessTokenFor } from '../support/tokens.ts';
import { apiClient, type Api } from '../support/api-client.ts';
import { createTxUser, eventually, insertTx, type InsertedTx, type TxUser } from '../support/transaction-fixtures.ts';

const topic = uniq('tx-events-usr-');
let p: RunningPlatform;
let alice: TxUser;
let bob: TxUser;
let aliceToken: string;
let api: Api;
const aliceRows: InsertedTx[] = [];
let bobRow: InsertedTx;

beforeAll(async () => {
  p = await startPlatform({
    service: 'transaction-service',
    modules: [transactionModule],
    config: realServicesConfig({ KAFKA_TOPIC_TRANSACTIONS: topic, KAFKA_CONSUMER_GROUP: uniq('grp-'), HISTORY_CACHE_TTL_SECONDS: '60' }),
  });
  const orm = p.infra.orm;
  alice = await createTxUser(orm);
  bob = await createTxUser(orm);
  aliceToken = accessTokenFor(p, { userId: alice.userId, username: alice.username });
  api = apiClient(p, { token: aliceToken });
  // Alice's October (Asia/Jakarta): a balance carried in from September, money in and out.
  aliceRows.push(
    await insertTx(orm, alice, { type: 'TOPUP', amount: '100000.00', before: '0.00', after: '100000.00', method: 'GOPAY', createdAt: '2025-09-30T16:59:00Z' }),
  ); // still 30 Sep in Jakarta
  aliceRows.push(
    await insertTx(orm, alice, {
      type: 'TRANSFER',
      amount: '25000.00',
      before: '100000.00',
      after: '125000.00',
      method: null,
      createdAt: '2025-09-30T17:00:00Z',
    }),
  ); // 1 Oct 00:00 WIB
  aliceRows.push(
    await insertTx(orm, alice, {
      type: 'PAYMENT',
      amount: '40000.50',
      before: '125000.00',
      after: '84999.50',
      method: null,
      createdAt: '2025-10-10T03:00:00Z',
    }),
  );
  aliceRows.push(
    await insertTx(orm, alice, {
      type: 'TOPUP',
      status: 'FAILED',
      amount: '10000.00',
      before: '84999.50',
      after: '84999.50',
      method: 'SHOPEE_PAY',
      createdAt: '2025-10-20T03:00:00Z',
    }),
  );
  aliceRows.push(
    await insertTx(orm, alice, {
      type: 'TOPUP',
      amount: '20000.00',
      before: '84999.50',
      after: '64999.50',
      method: 'SHOPEE_PAY',
      createdAt: '2025-10-25T03:00:00Z',
    }),
  );
  aliceRows.push(
    await insertTx(orm, alice, { type: 'REFUND', amount: '999.50', before: '64999.50', after: '65999.00', method: null, createdAt: '2025-11-02T03:00:00Z' }),
  );
  bobRow = await insertTx(orm, bob, { type: 'PAYMENT', amount: '1.00', createdAt: '2025-10-11T03:00:00Z' });
});
afterAll(async () => {
  await p?.stop();
});

/** The caller's histories with any query, also one the types refuse (the server must refuse it too). */
const histories = (query: Record<string, unknown>, client: Api = api) => client.GET('/api/transaction/me/histories', { params: { query: query as never } });
const ids = (data: { transaction_id: string }[] | undefined) => (data ?? []).map((d) => d.transaction_id);
const newestFirst = () => [...aliceRows].reverse().map((r) => r.transactionId);

describe('GET /api/transaction/me/histories', () => {
  it('lists only the caller rows, newest first, with page meta', async () => {
    const { data: r, response } = await api.GET('/api/transaction/me/histories');
    expect(response.status).toBe(200);
    expect(ids(r?.data)).toEqual(newestFirst());
    expect(r?.meta).toMatchObject({ code: '200', page: 1, size: 10, total: 6 });
    expect(ids(r?.data)).not.toContain(bobRow.transactionId);
    expect(r?.data[0]).toMatchObject({ transaction_type: 'REFUND', amount: '999.50', balance_before: '64999.50', balance_after: '65999.00', currency: 'IDR' });
  });

  it('pages with page/size and with a cursor', async () => {
    const p2 = await api.GET('/api/transaction/me/histories', { params: { query: { page: 2, size: 4 } } });
    expect(ids(p2.data?.data)).toEqual(newestFirst().slice(4));
    expect(p2.data?.meta).toMatchObject({ page: 2, size: 4, total: 6 });
    const walked: string[] = [];
    let cursor = '';
    do {
      const r = await api.GET('/api/transaction/me/histories', { params: { query: { size: 4, cursor } } });
      walked.push(...ids(r.data?.data));
      cursor = r.data?.meta.next_cursor ?? '';
    } while (cursor);
    expect(walked).toEqual(newestFirst());
  });

  it('filters by type, status, payment method and time (dates are Asia/Jakarta days)', async () => {
    const list = async (query: { type?: 'TOPUP'; status?: 'FAILED'; payment_method?: 'SHOPEE_PAY'; from?: string; to?: string }) =>
      (await api.GET('/api/transaction/me/histories', { params: { query } })).data;
    expect(ids((await list({ type: 'TOPUP' }))?.data)).toEqual([aliceRows[4], aliceRows[3], aliceRows[0]].map((r) => r!.transactionId));
    expect(ids((await list({ status: 'FAILED' }))?.data)).toEqual([aliceRows[3]!.transactionId]);
    expect(ids((await list({ payment_method: 'SHOPEE_PAY' }))?.data)).toEqual([aliceRows[4], aliceRows[3]].map((r) => r!.transactionId));
    const october = await list({ from: '2025-10-01', to: '2025-10-31' });
    expect(ids(october?.data)).toEqual([aliceRows[4], aliceRows[3], aliceRows[2], aliceRows[1]].map((r) => r!.transactionId));
    expect(october?.meta.total).toBe(4);
    const exact = await list({ from: '2025-10-10T03:00:00Z', to: '2025-10-20T03:00:00Z' });
    expect(ids(exact?.data)).toEqual([aliceRows[2]!.transactionId]);
  });

  it('refuses bad queries with 400 and missing tokens with 401', async () => {
    // Values the types refuse, sent anyway: the server must refuse them too.
    for (const q of [
      { size: 101 },
      { size: 'abc' },
      { page: -1 },
      { type: 'LOAN' },
      { payment_method: 'OVO' },
      { from: '2025-13-01' },
      { from: '2025-10-02', to: '2025-10-01' },
      { cursor: 'zzz' },
    ]) {
      const r = await histories(q);
      expect(r.response.status, JSON.stringify(q)).toBe(400);
      expect(r.error?.meta.error).toMatch(/^(VALIDATION_ERROR|INVALID_RANGE|INVALID_CURSOR)$/);
    }
    expect((await histories({}, apiClient(p))).response.status).toBe(401);
    expect((await histories({}, apiClient(p, { token: 'not.a.jwt' }))).response.status).toBe(401);
  });

  it('invalidates cached pages when the consumer sees a change of the user', async () => {
    const all = async () => ids((await api.GET('/api/transaction/me/histories', { params: { query: { size: 100 } } })).data?.data);
    const first = await all();
    const fresh = await insertTx(p.infra.orm, alice, {
      type: 'PAYMENT',
      amount: '1.00',
      before: '65999.00',
      after: '65998.00',
      createdAt: '2025-11-03T03:00:00Z',
    });
    // Served from the cache until the event arrives...
    expect(await all()).toEqual(first);
    await p.infra.events.publish(topic, [
      {
        key: alice.accountId,
        value: JSON.stringify({
          event_id: crypto.randomUUID(),
          event_type: 'transaction.created',
          occurred_at: new Date().toISOString(),
          key: alice.accountId,
          payload: { transaction_id: fresh.transactionId, user_id: alice.userId },
        }),
      },
    ]);
    // ...and fresh right after.
    await eventually(async () => expect((await all())[0]).toBe(fresh.transactionId));
    aliceRows.push(fresh);
  });
});

describe('GET /api/transaction/me/histories/:id', () => {
  it('answers by id and by transaction_id; someone else row is a 404', async () => {
    const one = (id: string) => api.GET('/api/transaction/me/histories/{id}', { params: { path: { id } } });
    const byId = await one(aliceRows[2]!.id);
    expect(byId.response.status).toBe(200);
    expect(byId.data?.data).toMatchObject({ id: aliceRows[2]!.id, transaction_id: aliceRows[2]!.transactionId, amount: '40000.50' });
    expect((await one(aliceRows[2]!.transactionId)).data?.data).toEqual(byId.data?.data);
    for (const id of [bobRow.id, bobRow.transactionId, 'TRX-NOPE', '00000000-0000-0000-0000-000000000000']) {
      const r = await one(id);
      expect(r.response.status, id).toBe(404);
      expect(r.error?.meta.error).toBe('TRANSACTION_NOT_FOUND');
    }
  });
});

describe('GET /api/transaction/me/reports/monthly', () => {
  const monthly = (query: { year: number; month: number }, client: Api = api) => client.GET('/api/transaction/me/reports/monthly', { params: { query } });

  it('gives opening and closing balances and totals in and out per type', async () => {
    const r = await monthly({ year: 2025, month: 10 });
    expect(r.response.status).toBe(200);
    expect(r.data?.data).toEqual({
      year: 2025,
      month: 10,
      currency: 'IDR',
      opening_balance: '100000.00',
      closing_balance: '64999.50',
      total_in: '25000.00',
      total_out: '60000.50',
      by_type: [
        { transaction_type: 'PAYMENT', in_count: 0, in_amount: '0.00', out_count: 1, out_amount: '40000.50' },
        { transaction_type: 'TOPUP', in_count: 0, in_amount: '0.00', out_count: 1, out_amount: '20000.00' },
        { transaction_type: 'TRANSFER', in_count: 1, in_amount: '25000.00', out_count: 0, out_amount: '0.00' },
      ],
    });
  });

  it('is empty but consistent for a month without rows, and validates year and month', async () => {
    const r = await monthly({ year: 2024, month: 1 });
    expect(r.data?.data).toMatchObject({ opening_balance: '0.00', closing_balance: '0.00', total_in: '0.00', total_out: '0.00', by_type: [] });
    for (const q of [{ year: 2025 }, { year: 2025, month: 13 }, { year: 1900, month: 1 }, { year: 'x', month: 1 }]) {
      const bad = await monthly(q as { year: number; month: number });
      expect(bad.response.status, JSON.stringify(q)).toBe(400);
      expect(bad.error?.meta.error).toBe('VALIDATION_ERROR');
    }
    const bobs = await monthly({ year: 2025, month: 10 }, apiClient(p, { token: accessTokenFor(p, { userId: bob.userId, username: bob.username }) }));
    expect(bobs.data?.data).toMatchObject({ opening_balance: '0.00', by_type: [{ transaction_type: 'PAYMENT', out_count: 0, in_count: 0 }] });
  });
});
