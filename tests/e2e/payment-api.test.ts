import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type RunningPlatform } from '../../src/entrypoints/shared/platform.ts';
import { createPaymentModule } from '../../src/entrypoints/payment/payment.module.ts';
import { paymentRuntime, type PaymentRuntime } from '../support/payment-runtime.ts';
import type { Sandboxes } from '../../src/adapters/ewallet/index.ts';
import { realServicesConfig } from '../support/services.ts';
import { createIsolatedDatabase } from '../support/isolated-database.ts';
import { accessTokenFor } from '../support/tokens.ts';
import { balanceOf, createCustomer, createMerchant, setStatus, type Customer } from '../support/payment-fixtures.ts';
import { apiClient, type Api } from '../support/api-client.ts';

// A database of its own: this suite's reconciler settles every due PENDING top-up it finds, and
// other suites' top-ups are unknown to this suite's sandboxes (it would release them).
let db: Awaited<ReturnType<typeof createIsolatedDatabase>>;
let p: RunningPlatform;
let runtime: PaymentRuntime;
let sandboxes: Sandboxes;

beforeAll(async () => {
  db = await createIsolatedDatabase('onegate_payment');
  p = await startPlatform({
    service: 'payment-service',
    modules: [createPaymentModule({ reconciler: false })],
    config: realServicesConfig({ DATABASE_URL: db.url }),
  });
  runtime = paymentRuntime(p.container);
  sandboxes = runtime.sandboxes!;
  sandboxes.setWebhookBaseUrl(`${p.url}/api/payment/webhooks`);
  for (const code of ['M', 'MERCHANT-42', 'M-REF']) await createMerchant(p.infra.orm, { code });
});
afterAll(async () => {
  await p?.stop();
  await db?.drop();
});

interface Caller extends Customer {
  token: string;
  /** The typed client (tests/support/api-client.ts), authenticated as this caller. */
  api: Api;
}

async function caller(balance = '0.00', role: 'USER' | 'ADMIN' = 'USER'): Promise<Caller> {
  const c = await createCustomer(p.infra.orm, { balance, role });
  const token = accessTokenFor(p, { userId: c.userId, username: c.username, role });
  return { ...c, token, api: apiClient(p, { token }) };
}
const anonymous = () => apiClient(p);
/** A body the types refuse (wrong or extra fields), sent as is: the server must refuse it too. */
const untyped = <T>(body: Record<string, unknown>) => body as T;
/** Raw bytes as the body, bypassing JSON serialisation. */
const raw = (text: string) => ({ body: text as never, bodySerializer: (b: unknown) => b as string });
type PaymentBody = { amount: string | number; merchant_id: string; description?: string | null };

describe('GET /api/payment/account, /balance, /wallet', () => {
  it("answers the caller's own account and balance; 401 without a token", async () => {
    const c = await caller('1500.50');
    const a = await c.api.GET('/api/payment/account');
    expect(a.response.status).toBe(200);
    expect(a.data?.data).toMatchObject({ id: c.accountId, user_id: c.userId, balance: '1500.50', currency: 'IDR', account_status: 'ACTIVE' });
    expect(a.data?.data).toHaveProperty('created_at');
    const b = await c.api.GET('/api/payment/balance');
    expect(b.data).toEqual({ meta: { code: '200', message: 'balance' }, data: { balance: '1500.50', currency: 'IDR' } });
    const none = await anonymous().GET('/api/payment/balance');
    expect(none.response.status).toBe(401);
    expect(none.error?.meta.error).toBe('UNAUTHENTICATED');
    const bad = await apiClient(p, { token: 'not.a.jwt' }).GET('/api/payment/account');
    expect(bad.response.status).toBe(401);
  });

  it("reports the e-wallet registered to the caller's phone; 404 in the reserved no-wallet range, 400 for an unknown provider", async () => {
    const c = await caller();
    sandboxes.gopay.control.registerWallet(c.phone, { name: 'Wallet', balance: '777.00' });
    const w = await c.api.GET('/api/payment/wallet', { params: { query: { ewallet: 'GOPAY' } } });
    expect(w.response.status).toBe(200);
    expect(w.data?.data).toMatchObject({ provider: 'GOPAY', balance: '777.00', currency: 'IDR' });
    expect(typeof w.data?.data.account_number).toBe('string');
    expect(typeof w.data?.data.last_updated).toBe('string');
    // A ShopeePay wallet opens at first use (0.00); a phone in the reserved +628999… range has none.
    expect((await c.api.GET('/api/payment/wallet', { params: { query: { ewallet: 'SHOPEE_PAY' } } })).data?.data).toMatchObject({ balance: '0.00' });
    const none = await caller();
    await p.infra.orm.em.getConnection().execute(`update users set phone = ? where id = ?`, [`+628999${String(none.userId).padStart(6, '0')}`, none.userId]);
    expect((await none.api.GET('/api/payment/wallet', { params: { query: { ewallet: 'SHOPEE_PAY' } } })).response.status).toBe(404);
    const bad = await c.api.GET('/api/payment/wallet', { params: { query: { ewallet: 'OVO' as 'GOPAY' } } });
    expect(bad.response.status).toBe(400);
    expect(bad.error?.meta.error).toBe('VALIDATION_ERROR');
  });
});

describe('POST /api/payment/payments', () => {
  it('pays a merchant: 201 with the transaction; the balance follows', async () => {
    const c = await caller('100000.00');
    const r = await c.api.POST('/api/payment/payments', {
      body: untyped<PaymentBody>({ amount: 25000, merchant_id: 'MERCHANT-42', description: 'lunch', balance: '99999999.00' }),
    });
    expect(r.response.status).toBe(201);
    expect(r.data?.meta).toEqual({ code: '201', message: 'payment successful' });
    expect(r.data?.data).toMatchObject({
      transaction_type: 'PAYMENT',
      transaction_status: 'SUCCESS',
      amount: '25000.00',
      balance_before: '100000.00',
      balance_after: '75000.00',
      currency: 'IDR',
      description: 'lunch',
    });
    expect(r.data?.data.transaction_id).toMatch(/^PAY-/);
    expect((await c.api.GET('/api/payment/balance')).data?.data).toEqual({ balance: '75000.00', currency: 'IDR' });
  });

  it.each([
    ['more than two decimals', { amount: '10.001', merchant_id: 'M' }],
    ['an exponent', { amount: '1e5', merchant_id: 'M' }],
    ['a negative amount', { amount: -5, merchant_id: 'M' }],
    ['zero', { amount: 0, merchant_id: 'M' }],
    ['NaN text', { amount: 'NaN', merchant_id: 'M' }],
    ['beyond 15 digits', { amount: '99999999999999.00', merchant_id: 'M' }],
    ['a huge number', { amount: 1e21, merchant_id: 'M' }],
    ['no merchant', { amount: 10 }],
    ['no amount', { merchant_id: 'M' }],
  ])('refuses %s with 400 and moves nothing', async (_name, body) => {
    const c = await caller('1000.00');
    const r = await c.api.POST('/api/payment/payments', { body: untyped<PaymentBody>(body) });
    expect(r.response.status).toBe(400);
    expect(r.error?.meta.error).toBe('VALIDATION_ERROR');
    expect(r.error).toMatchObject({ data: null });
    expect(await balanceOf(p.infra.orm, c.accountId)).toBe('1000.00');
  });

  it('422 INSUFFICIENT_FUNDS, 403 ACCOUNT_NOT_ACTIVE, 400 on malformed JSON', async () => {
    const c = await caller('10.00');
    const poor = await c.api.POST('/api/payment/payments', { body: { amount: '10.01', merchant_id: 'M' } });
    expect(poor.response.status).toBe(422);
    expect(poor.error?.meta).toMatchObject({ code: '422', error: 'INSUFFICIENT_FUNDS', message: 'insufficient balance' });
    await setStatus(p.infra.orm, c.accountId, 'SUSPENDED');
    const suspended = await c.api.POST('/api/payment/payments', { body: { amount: '1.00', merchant_id: 'M' } });
    expect(suspended.response.status).toBe(403);
    expect(suspended.error?.meta.error).toBe('ACCOUNT_NOT_ACTIVE');
    const malformed = await c.api.POST('/api/payment/payments', raw('{"amount":'));
    expect(malformed.response.status).toBe(400);
    expect(malformed.error?.meta.error).toBe('MALFORMED_JSON');
    expect(await balanceOf(p.infra.orm, c.accountId)).toBe('10.00');
  });
});

describe('POST /api/payment/transfers', () => {
  it('transfers by username, phone or account id; the recipient gets its own row', async () => {
    const a = await caller('5000.00');
    const b = await caller();
    const r = await a.api.POST('/api/payment/transfers', { body: { recipient: b.username, amount: '1000.00', description: 'rent' } });
    expect(r.response.status).toBe(201);
    expect(r.data?.data).toMatchObject({ transaction_type: 'TRANSFER', transaction_status: 'SUCCESS', amount: '1000.00', balance_after: '4000.00' });
    const other = r.data!.data.related_transaction_id!;
    const seen = await b.api.GET('/api/payment/transactions/{transaction_id}', { params: { path: { transaction_id: other } } });
    expect(seen.response.status).toBe(200);
    expect(seen.data?.data).toMatchObject({ transaction_type: 'TRANSFER', amount: '1000.00', balance_before: '0.00', balance_after: '1000.00' });
    expect((await a.api.POST('/api/payment/transfers', { body: { recipient: `62${b.phone.slice(3)}`, amount: 1 } })).response.status).toBe(201);
    expect((await a.api.POST('/api/payment/transfers', { body: { recipient: b.accountId, amount: '0.5' } })).response.status).toBe(201);
    expect(await balanceOf(p.infra.orm, b.accountId)).toBe('1001.50');
  });

  it('400 on self-transfer, 404 on an unknown recipient, 422 when short', async () => {
    const a = await caller('100.00');
    const self = await a.api.POST('/api/payment/transfers', { body: { recipient: a.username, amount: 1 } });
    expect(self.response.status).toBe(400);
    expect(self.error?.meta.error).toBe('SELF_TRANSFER');
    const nobody = await a.api.POST('/api/payment/transfers', { body: { recipient: 'nobody_at_all_x', amount: 1 } });
    expect(nobody.response.status).toBe(404);
    expect(nobody.error?.meta.error).toBe('RECIPIENT_NOT_FOUND');
    const b = await caller();
    const short = await a.api.POST('/api/payment/transfers', { body: { recipient: b.username, amount: '100.01' } });
    expect(short.response.status).toBe(422);
  });
});

const transaction = (c: Caller, id: string) => c.api.GET('/api/payment/transactions/{transaction_id}', { params: { path: { transaction_id: id } } });

describe('GET /api/payment/transactions/:transaction_id', () => {
  it("shows only the caller's own transactions (someone else's: 404)", async () => {
    const a = await caller('100.00');
    const b = await caller();
    const r = await a.api.POST('/api/payment/payments', { body: { amount: 1, merchant_id: 'M' } });
    const id = r.data!.data.transaction_id;
    expect((await transaction(a, id)).data?.data).toMatchObject({ transaction_id: id, transaction_status: 'SUCCESS' });
    const theirs = await transaction(b, id);
    expect(theirs.response.status).toBe(404);
    expect(theirs.error?.meta.error).toBe('TRANSACTION_NOT_FOUND');
    expect((await transaction(a, 'PAY-20260101-NOPE')).response.status).toBe(404);
  });
});

describe('POST /api/payment/wallet/topup through the GoPay and ShopeePay sandboxes', () => {
  it.each([
    ['GOPAY', 'gopay'],
    ['SHOPEE_PAY', 'shopeepay'],
  ] as const)('%s: 201 when the provider confirms; the e-wallet is credited', async (method, key) => {
    const c = await caller('50000.00');
    sandboxes[key].control.registerWallet(c.phone, { name: 'Topup Test' });
    const r = await c.api.POST('/api/payment/wallet/topup', { body: { amount: '10000.00', payment_method: method, phone_number: `0${c.phone.slice(3)}` } });
    expect(r.response.status).toBe(201);
    expect(r.data?.meta).toEqual({ code: '201', message: 'top up successful' });
    expect(r.data?.data).toMatchObject({
      transaction_type: 'TOPUP',
      transaction_status: 'SUCCESS',
      amount: '10000.00',
      balance_before: '50000.00',
      balance_after: '40000.00',
      payment_method: method,
      currency: 'IDR',
    });
    expect(r.data?.data.external_reference).toBeTruthy();
    expect(sandboxes[key].control.wallet(c.phone)!.balance.toString()).toBe('10000.00');
    const w = await c.api.GET('/api/payment/wallet', { params: { query: { ewallet: method } } });
    expect(w.data?.data).toMatchObject({ balance: '10000.00' });
  });

  it('a new customer tops up their own GoPay and ShopeePay with no wallet registered: the sandboxes open one at first use', async () => {
    const c = await caller('30000.00');
    for (const method of ['GOPAY', 'SHOPEE_PAY'] as const) {
      const before = await c.api.GET('/api/payment/wallet', { params: { query: { ewallet: method } } });
      expect([before.response.status, before.data?.data]).toMatchObject([200, { balance: '0.00' }]);
      const r = await c.api.POST('/api/payment/wallet/topup', { body: { amount: '10000.00', payment_method: method, phone_number: c.phone } });
      expect([r.response.status, r.data?.data.transaction_status]).toEqual([201, 'SUCCESS']);
    }
    expect(sandboxes.gopay.control.wallet(c.phone)!.balance.toString()).toBe('10000.00');
    expect(sandboxes.shopeepay.control.wallet(c.phone)!.balance.toString()).toBe('10000.00');
  });

  it('validates: limits 400, no e-wallet 422, bad phone 400, insufficient 422', async () => {
    const c = await caller('15000.00');
    sandboxes.gopay.control.registerWallet(c.phone);
    const topUp = (body: { amount: string; payment_method: 'GOPAY' | 'SHOPEE_PAY'; phone_number: string }) => c.api.POST('/api/payment/wallet/topup', { body });
    const low = await topUp({ amount: '9999.99', payment_method: 'GOPAY', phone_number: c.phone });
    expect([low.response.status, low.error?.meta.error]).toEqual([400, 'AMOUNT_BELOW_MINIMUM']);
    const high = await topUp({ amount: '20000000.01', payment_method: 'GOPAY', phone_number: c.phone });
    expect([high.response.status, high.error?.meta.error]).toEqual([400, 'AMOUNT_ABOVE_MAXIMUM']);
    const phone = await topUp({ amount: '10000', payment_method: 'GOPAY', phone_number: '12345' });
    expect([phone.response.status, phone.error?.meta.error]).toEqual([400, 'VALIDATION_ERROR']);
    const method = await topUp({ amount: '10000', payment_method: 'OVO' as 'GOPAY', phone_number: c.phone });
    expect(method.response.status).toBe(400);
    // +628999… is the sandboxes' reserved range: never an e-wallet (any other number has one).
    const nowallet = await topUp({ amount: '10000', payment_method: 'SHOPEE_PAY', phone_number: '+628999000000' });
    expect([nowallet.response.status, nowallet.error?.meta.error]).toEqual([422, 'EWALLET_NOT_FOUND']);
    const poor = await topUp({ amount: '15000.01', payment_method: 'GOPAY', phone_number: c.phone });
    expect([poor.response.status, poor.error?.meta.error]).toEqual([422, 'INSUFFICIENT_FUNDS']);
    expect(await balanceOf(p.infra.orm, c.accountId)).toBe('15000.00');
  });

  it('a decline answers 422 TOPUP_DECLINED and returns the money with a linked refund', async () => {
    const c = await caller('30000.00');
    sandboxes.gopay.control.registerWallet(c.phone);
    sandboxes.gopay.control.behave('topup', { kind: 'decline', reason: 'RISK_REJECTED' }, 1);
    const r = await c.api.POST('/api/payment/wallet/topup', { body: { amount: '20000', payment_method: 'GOPAY', phone_number: c.phone } });
    expect(r.response.status).toBe(422);
    expect(r.error?.meta).toMatchObject({ code: '422', error: 'TOPUP_DECLINED' });
    expect(r.error).toMatchObject({ data: null });
    const declined = r.error!.meta as { transaction_id: string; refund_transaction_id: string };
    const t = await transaction(c, declined.transaction_id);
    expect(t.data?.data).toMatchObject({ transaction_type: 'TOPUP', transaction_status: 'FAILED' });
    const refund = await transaction(c, declined.refund_transaction_id);
    expect(refund.data?.data).toMatchObject({
      transaction_type: 'REFUND',
      transaction_status: 'SUCCESS',
      amount: '20000.00',
      related_transaction_id: declined.transaction_id,
    });
    expect(await balanceOf(p.infra.orm, c.accountId)).toBe('30000.00');
  });

  it("pending: 202, then the provider's signed webhook settles it once; duplicates and forgeries change nothing", async () => {
    const c = await caller('40000.00');
    sandboxes.gopay.control.registerWallet(c.phone);
    sandboxes.gopay.control.behave('topup', { kind: 'pending' }, 1);
    const r = await c.api.POST('/api/payment/wallet/topup', { body: { amount: '12500.00', payment_method: 'GOPAY', phone_number: c.phone } });
    expect(r.response.status).toBe(202);
    expect(r.data?.data).toMatchObject({ transaction_status: 'PENDING', balance_after: '27500.00' });
    const id = r.data!.data.transaction_id;

    sandboxes.gopay.control.settle(id, 'SUCCESS');
    await sandboxes.gopay.notifier.idle();
    const delivered = sandboxes.gopay.notifier.deliveries.filter((d) => d.body.includes(id));
    expect(delivered.map((d) => d.status)).toEqual([200]);
    expect((await transaction(c, id)).data?.data).toMatchObject({ transaction_status: 'SUCCESS' });

    // The same notification again (a provider retry): acknowledged, nothing changes.
    sandboxes.gopay.notifier.send(JSON.parse(delivered[0]!.body));
    await sandboxes.gopay.notifier.idle();
    expect(sandboxes.gopay.notifier.deliveries.filter((d) => d.body.includes(id)).map((d) => d.status)).toEqual([200, 200]);

    const forged = await anonymous().POST('/api/payment/webhooks/gopay', {
      ...raw(delivered[0]!.body),
      headers: { 'x-timestamp': new Date().toISOString(), 'x-signature': 'AAAA' },
    });
    expect(forged.response.status).toBe(401);
    expect(forged.error?.meta.error).toBe('INVALID_SIGNATURE');
    const unsigned = await anonymous().POST('/api/payment/webhooks/shopeepay', raw('{"x":1}'));
    expect(unsigned.response.status).toBe(401);

    expect(await balanceOf(p.infra.orm, c.accountId)).toBe('27500.00');
    expect(sandboxes.gopay.control.wallet(c.phone)!.balance.toString()).toBe('12500.00');
    const updates = (await p.infra.orm.em
      .getConnection()
      .execute(`select 1 from outbox_events where event_type = 'transaction.updated' and payload->'payload'->>'transaction_id' = ?`, [id])) as unknown[];
    expect(updates).toHaveLength(1);
  });

  it('a pending top-up that the provider fails is released by the webhook, once', async () => {
    const c = await caller('40000.00');
    sandboxes.shopeepay.control.registerWallet(c.phone);
    sandboxes.shopeepay.control.behave('topup', { kind: 'pending' }, 1);
    const r = await c.api.POST('/api/payment/wallet/topup', { body: { amount: '10000.00', payment_method: 'SHOPEE_PAY', phone_number: c.phone } });
    expect(r.response.status).toBe(202);
    const id = r.data!.data.transaction_id;
    sandboxes.shopeepay.control.settle(id, 'FAILED', 'DECLINED');
    await sandboxes.shopeepay.notifier.idle();
    await runtime.reconciler.runOnce(new Date(Date.now() + 3600_000)); // racing the webhook: no second release
    expect((await transaction(c, id)).data?.data).toMatchObject({ transaction_status: 'FAILED' });
    expect(await balanceOf(p.infra.orm, c.accountId)).toBe('40000.00');
    const refunds = (await p.infra.orm.em
      .getConnection()
      .execute(`select 1 from historical_transactions where related_transaction_id = ? and transaction_type = 'REFUND'`, [id])) as unknown[];
    expect(refunds).toHaveLength(1);
  });
});

describe('POST /api/payment/admin/refunds', () => {
  it('is for admins only; refunds in part and refuses more than paid', async () => {
    const payer = await caller('10000.00');
    const adminUser = await caller('0.00', 'ADMIN');
    const pay = await payer.api.POST('/api/payment/payments', { body: { amount: '8000.00', merchant_id: 'M-REF' } });
    const id = pay.data!.data.transaction_id;
    const notAdmin = await payer.api.POST('/api/payment/admin/refunds', { body: { transaction_id: id } });
    expect(notAdmin.response.status).toBe(403);
    expect(notAdmin.error?.meta.error).toBe('FORBIDDEN');
    const part = await adminUser.api.POST('/api/payment/admin/refunds', { body: { transaction_id: id, amount: '3000.00', reason: 'partial' } });
    expect(part.response.status).toBe(201);
    expect(part.data?.data).toMatchObject({ transaction_type: 'REFUND', amount: '3000.00', related_transaction_id: id });
    const over = await adminUser.api.POST('/api/payment/admin/refunds', { body: { transaction_id: id, amount: '5000.01' } });
    expect([over.response.status, over.error?.meta.error]).toEqual([422, 'REFUND_EXCEEDS_PAYMENT']);
    const rest = await adminUser.api.POST('/api/payment/admin/refunds', { body: { transaction_id: id } });
    expect(rest.data?.data).toMatchObject({ amount: '5000.00' });
    expect(await balanceOf(p.infra.orm, payer.accountId)).toBe('10000.00');
    // The payer sees the refund as their own transaction.
    expect((await transaction(payer, rest.data!.data.transaction_id)).response.status).toBe(200);
  });
});

describe('Idempotency-Key on money-moving routes', () => {
  it('replays the first response for the same key and body; 422 for another body', async () => {
    const c = await caller('10000.00');
    const params = { header: { 'Idempotency-Key': `k-${c.username}` } };
    const first = await c.api.POST('/api/payment/payments', { params, body: { amount: '100.00', merchant_id: 'M' } });
    const again = await c.api.POST('/api/payment/payments', { params, body: { merchant_id: 'M', amount: '100.00' } });
    expect(first.response.status).toBe(201);
    expect(again.response.status).toBe(201);
    expect(again.data).toEqual(first.data);
    const other = await c.api.POST('/api/payment/payments', { params, body: { amount: '200.00', merchant_id: 'M' } });
    expect([other.response.status, other.error?.meta.error]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
    expect(await balanceOf(p.infra.orm, c.accountId)).toBe('9900.00');
  });

  it('50 concurrent transfers with one key make one effect', async () => {
    const a = await caller('10000.00');
    const b = await caller();
    const params = { header: { 'Idempotency-Key': `burst-${a.username}` } };
    const results = await Promise.all(
      Array.from({ length: 50 }, () => a.api.POST('/api/payment/transfers', { params, body: { recipient: b.username, amount: '10.00' } })),
    );
    const statuses = results.map((r) => r.response.status);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    const created = results.filter((r) => r.response.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((r) => r.data!.data.transaction_id)).size).toBe(1);
    expect(await balanceOf(p.infra.orm, a.accountId)).toBe('9990.00');
    expect(await balanceOf(p.infra.orm, b.accountId)).toBe('10.00');
  });

  it('a top-up replay answers the stored final state, never a second debit', async () => {
    const c = await caller('30000.00');
    sandboxes.gopay.control.registerWallet(c.phone);
    const params = { header: { 'Idempotency-Key': `topup-${c.username}` } };
    const body = { amount: '10000.00', payment_method: 'GOPAY', phone_number: c.phone } as const;
    const first = await c.api.POST('/api/payment/wallet/topup', { params, body });
    const again = await c.api.POST('/api/payment/wallet/topup', { params, body });
    expect(first.response.status).toBe(201);
    expect(again.response.status).toBe(201);
    expect(again.data!.data.transaction_id).toBe(first.data!.data.transaction_id);
    expect(await balanceOf(p.infra.orm, c.accountId)).toBe('20000.00');
    expect(sandboxes.gopay.control.wallet(c.phone)!.balance.toString()).toBe('10000.00');
  });
});

describe('OpenAPI', () => {
  it('documents every payment route', async () => {
    const doc = (await (await fetch(`${p.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    for (const [path, method] of [
      ['/api/payment/account', 'get'],
      ['/api/payment/balance', 'get'],
      ['/api/payment/wallet', 'get'],
      ['/api/payment/wallet/topup', 'post'],
      ['/api/payment/payments', 'post'],
      ['/api/payment/transfers', 'post'],
      ['/api/payment/transactions/{transaction_id}', 'get'],
      ['/api/payment/admin/refunds', 'post'],
      ['/api/payment/webhooks/gopay', 'post'],
      ['/api/payment/webhooks/shopeepay', 'post'],
    ]) {
      expect(doc.paths[path!]?.[method!], `${method} ${path}`).toBeDefined();
    }
  });
});
