import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type RunningPlatform } from '../../src/entrypoints/shared/platform.ts';
import { allModules } from '../../src/entrypoints/all-in-one/modules.ts';
import { paymentRuntime } from '../support/payment-runtime.ts';
import { Money } from '../../src/domain/shared/money.ts';
import { realServicesConfig, uniq } from '../support/services.ts';
import { createMerchant, uniquePhone } from '../support/payment-fixtures.ts';

// The user's journey across the three services in the all-in-one: register (auth), get money and
// pay (payment), read it back (transaction).
let p: RunningPlatform;
beforeAll(async () => {
  p = await startPlatform({ service: 'all-in-one', modules: allModules, config: realServicesConfig() });
  for (const code of ['M', 'M-1']) await createMerchant(p.infra.orm, { code });
});
afterAll(() => p?.stop());

type Body = { meta: { code: string; error?: string }; data: Record<string, unknown> & { account?: Record<string, unknown> } };
async function call(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: Body }> {
  const r = await fetch(`${p.url}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: r.status, body: (await r.json()) as Body };
}

describe('all-in-one: register, pay, read the history', () => {
  it('a registered user pays from an account the auth service created', async () => {
    const username = uniq('journey_');
    const password = 'correct horse battery';
    const reg = await call('POST', '/api/auth/register', { username, email: `${username}@example.com`, phone: `0${uniquePhone().slice(3)}`, password });
    expect(reg.status).toBe(201);
    const accountId = reg.body.data.account!.id as string;
    const login = await call('POST', '/api/auth/login', { username, password });
    expect(login.status).toBe(200);
    const token = login.body.data.access_token as string;

    const account = await call('GET', '/api/payment/account', undefined, token);
    expect(account.body.data).toMatchObject({ id: accountId, balance: '0.00', account_status: 'ACTIVE' });
    const broke = await call('POST', '/api/payment/payments', { amount: '1.00', merchant_id: 'M' }, token);
    expect(broke.status).toBe(422);

    await paymentRuntime(p.container).credit.execute({ accountId, amount: Money.parse('50000.00'), operator: 'test' });
    const paid = await call('POST', '/api/payment/payments', { amount: '12000.00', merchant_id: 'M-1' }, token);
    expect(paid.status).toBe(201);
    expect((await call('GET', '/api/payment/balance', undefined, token)).body.data).toEqual({ balance: '38000.00', currency: 'IDR' });

    const id = paid.body.data.transaction_id as string;
    const seen = await call('GET', `/api/transaction/me/histories/${id}`, undefined, token);
    expect(seen.status).toBe(200);
    expect(seen.body.data).toMatchObject({ transaction_id: id, amount: '12000.00' });
  });
});
