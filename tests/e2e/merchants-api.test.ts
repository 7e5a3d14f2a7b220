import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type RunningPlatform } from '../../src/entrypoints/shared/platform.ts';
import { createPaymentModule } from '../../src/entrypoints/payment/payment.module.ts';
import { realServicesConfig, uniq } from '../support/services.ts';
import { accessTokenFor } from '../support/tokens.ts';
import { balanceOf, createCustomer, createMerchant } from '../support/payment-fixtures.ts';
import { runAdminCli } from '../support/admin-cli.ts';

let p: RunningPlatform;
beforeAll(async () => {
  p = await startPlatform({ service: 'payment-service', modules: [createPaymentModule({ reconciler: false })], config: realServicesConfig() });
});
afterAll(() => p?.stop());

type Body = { meta: { code: string; error?: string }; data: Record<string, unknown> | null };
async function call(
  method: string,
  path: string,
  token?: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Body }> {
  const r = await fetch(`${p.url}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: r.status, body: (await r.json()) as Body };
}
async function payer(balance: string) {
  const c = await createCustomer(p.infra.orm, { balance });
  return { ...c, token: accessTokenFor(p, { userId: c.userId, username: c.username }) };
}

describe('GET /api/payment/merchants/:code', () => {
  it('shows a payer the public profile only; 404 for an unknown code; 401 without a token', async () => {
    const m = await createMerchant(p.infra.orm, { name: 'Warung Bu Sri', category: 'MICRO' });
    const c = await payer('0.00');
    const r = await call('GET', `/api/payment/merchants/${m.code}`, c.token);
    expect(r.status).toBe(200);
    expect(r.body.data).toEqual({ code: m.code, name: 'Warung Bu Sri', category: 'MICRO', status: 'ACTIVE' });
    const unknown = await call('GET', '/api/payment/merchants/NOBODY-HERE', c.token);
    expect(unknown.status).toBe(404);
    expect(unknown.body.meta.error).toBe('MERCHANT_NOT_FOUND');
    expect((await call('GET', `/api/payment/merchants/${m.code}`)).status).toBe(401);
    expect((await call('GET', '/api/payment/merchants/bad%20code', c.token)).status).toBe(400);
  });
});

describe('POST /api/payment/payments to merchants', () => {
  it('answers gross, fee and net', async () => {
    const m = await createMerchant(p.infra.orm, { category: 'EDUCATION' });
    const c = await payer('500000.00');
    const r = await call('POST', '/api/payment/payments', c.token, { amount: '250000.00', merchant_id: m.code });
    expect(r.status).toBe(201);
    expect(r.body.data).toMatchObject({
      amount: '250000.00',
      merchant_id: m.code,
      merchant_name: m.name,
      gross_amount: '250000.00',
      fee_amount: '1500.00',
      net_amount: '248500.00',
      balance_after: '250000.00',
    });
  });

  it('404 MERCHANT_NOT_FOUND and 403 MERCHANT_NOT_ACTIVE move nothing; the key replays the refusal', async () => {
    const c = await payer('1000.00');
    const suspended = await createMerchant(p.infra.orm, { status: 'SUSPENDED' });
    const key = { 'idempotency-key': uniq('merchant-') };
    const unknown = await call('POST', '/api/payment/payments', c.token, { amount: '10.00', merchant_id: 'NOBODY-HERE' }, key);
    expect(unknown.status).toBe(404);
    expect(unknown.body.meta.error).toBe('MERCHANT_NOT_FOUND');
    const inactive = await call('POST', '/api/payment/payments', c.token, { amount: '10.00', merchant_id: suspended.code });
    expect(inactive.status).toBe(403);
    expect(inactive.body.meta.error).toBe('MERCHANT_NOT_ACTIVE');
    expect(await balanceOf(p.infra.orm, c.accountId)).toBe('1000.00');
    // A refusal is the request's final answer: the key replays it, and still nothing moved.
    const replay = await call('POST', '/api/payment/payments', c.token, { amount: '10.00', merchant_id: 'NOBODY-HERE' }, key);
    expect([replay.status, replay.body.meta.error]).toEqual([404, 'MERCHANT_NOT_FOUND']);
    expect(await balanceOf(p.infra.orm, c.accountId)).toBe('1000.00');
    expect(await p.infra.orm.em.getConnection().execute(`select 1 from historical_transactions where account_id = ?`, [c.accountId])).toHaveLength(1); // the opening credit only
  });
});

const admin = (...args: string[]) => runAdminCli(args, {}, 30_000);

describe('admin CLI: merchants', () => {
  it('creates, lists, sets the fee and suspends; refuses bad input with exit code 2', { timeout: 180_000 }, async () => {
    const code = uniq('CLI-');
    const created = await admin(
      'merchants',
      'create',
      '--code',
      code,
      '--name',
      'Toko CLI',
      '--category',
      'micro',
      '--bank-code',
      'BCA',
      '--account-number',
      '1234567890',
      '--holder',
      'Budi Santoso',
      '--json',
    );
    expect(created.code).toBe(0);
    expect(JSON.parse(created.out)).toMatchObject({
      code,
      name: 'Toko CLI',
      category: 'MICRO',
      status: 'ACTIVE',
      balance: '0.00',
      fee_bps: null,
      bank_account: { bank_code: 'BCA', account_number: '1234567890' },
    });
    const fee = await admin('merchants', 'set-fee', '--merchant', code, '--bps', '45', '--json');
    expect(JSON.parse(fee.out)).toMatchObject({ code, fee_bps: 45 });
    const suspended = await admin('merchants', 'suspend', '--merchant', code, '--json');
    expect(JSON.parse(suspended.out)).toMatchObject({ status: 'SUSPENDED', previous_status: 'ACTIVE' });
    const list = await admin('merchants', 'list');
    expect(list.out).toMatch(new RegExp(`${code}\\s+SUSPENDED\\s+MICRO`));
    const bad = await admin('merchants', 'create', '--code', 'has space', '--name', 'x', '--category', 'REGULAR', '--json');
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.err)).toMatchObject({ error: 'INVALID_MERCHANT' });
    const missing = await admin('merchants', 'show', '--merchant', 'NOBODY-HERE', '--json');
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.err)).toMatchObject({ error: 'MERCHANT_NOT_FOUND' });
  });
});

describe('admin CLI: payouts and statements', () => {
  it('pays a merchant out through the sandbox bank and prints its statement as CSV', { timeout: 120_000 }, async () => {
    const m = await createMerchant(p.infra.orm, { category: 'REGULAR' });
    const c = await payer('10000.00');
    expect((await call('POST', '/api/payment/payments', c.token, { amount: '10000.00', merchant_id: m.code })).status).toBe(201);
    const out = await admin('merchants', 'payout', '--merchant', m.code, '--json');
    expect(out.code).toBe(0);
    const payout = JSON.parse(out.out) as { reference: string };
    expect(payout).toMatchObject({ merchant: m.code, amount: '9930.00', status: 'SUCCESS', bank_account: { bank_code: 'BCA' } });
    const today = new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);
    const csv = await admin('merchants', 'statement', '--merchant', m.code, '--from', today, '--to', today, '--format', 'csv');
    expect(csv.code).toBe(0);
    const lines = csv.out.trim().split(/\r?\n/);
    expect(lines[0]).toBe('at,kind,transaction_id,gross,fee,net,balance_after');
    expect(lines.slice(1).map((l) => l.split(',').slice(1, 2).concat(l.split(',').slice(3)))).toEqual([
      ['OPENING', '', '', '', '0.00'],
      ['PAYMENT', '10000.00', '70.00', '9930.00', '9930.00'],
      ['PAYOUT', '', '', '-9930.00', '0.00'],
      ['CLOSING', '', '', '', '0.00'],
    ]);
    expect(csv.out).toContain(payout.reference);
  });
});
