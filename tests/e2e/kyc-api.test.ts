import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type RunningPlatform } from '../../src/entrypoints/shared/platform.ts';
import { createPaymentModule } from '../../src/entrypoints/payment/payment.module.ts';
import { paymentRuntime } from '../support/payment-runtime.ts';
import { realServicesConfig } from '../support/services.ts';
import { createIsolatedDatabase } from '../support/isolated-database.ts';
import { accessTokenFor } from '../support/tokens.ts';
import { balanceOf, createCustomer } from '../support/payment-fixtures.ts';

let db: Awaited<ReturnType<typeof createIsolatedDatabase>>;
let p: RunningPlatform;

beforeAll(async () => {
  db = await createIsolatedDatabase('onegate_kyc');
  p = await startPlatform({
    service: 'payment-service',
    modules: [createPaymentModule({ reconciler: false })],
    config: realServicesConfig({ DATABASE_URL: db.url }),
  });
});
afterAll(async () => {
  await p?.stop();
  await db?.drop();
});

async function call(method: string, path: string, token: string, body?: unknown) {
  const r = await fetch(`${p.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: r.status, body: (await r.json()) as { meta: { code: string; error?: string; message?: string }; data: Record<string, unknown> | null } };
}

describe('KYC over HTTP', { timeout: 60_000 }, () => {
  it('GET /api/payment/account shows the tier, its limits and what remains; an unregistered account cannot pay another person', async () => {
    const u = await createCustomer(p.infra.orm, { tier: 'UNREGISTERED', balance: '500000.00' });
    const r = await createCustomer(p.infra.orm);
    const token = accessTokenFor(p, { userId: u.userId, username: u.username, role: 'USER' });
    const a = await call('GET', '/api/payment/account', token);
    expect(a.status).toBe(200);
    expect(a.body.data).toMatchObject({
      kyc_tier: 'UNREGISTERED',
      limits: {
        max_balance: '2000000.00',
        monthly_incoming: '20000000.00',
        transfers_to_others: false,
        remaining: { balance: '1500000.00', monthly_incoming: '19500000.00' },
      },
    });

    const t = await call('POST', '/api/payment/transfers', token, { recipient: r.username, amount: '1000.00' });
    expect(t.status).toBe(422);
    expect(t.body.meta.error ?? t.body.meta.code).toContain('KYC_REQUIRED');
    const sandboxes = paymentRuntime(p.container).sandboxes!;
    sandboxes.gopay.control.registerWallet(r.phone, { name: 'Someone Else' });
    sandboxes.gopay.control.registerWallet(u.phone, { name: 'Own' });
    const other = await call('POST', '/api/payment/wallet/topup', token, { amount: '10000.00', payment_method: 'GOPAY', phone_number: r.phone });
    expect(other.status).toBe(422);
    expect(JSON.stringify(other.body.meta)).toContain('KYC_REQUIRED');
    expect(await balanceOf(p.infra.orm, u.accountId)).toBe('500000.00');
    expect(await balanceOf(p.infra.orm, r.accountId)).toBe('0.00');
    // Their own e-wallet they may top up.
    const own = await call('POST', '/api/payment/wallet/topup', token, { amount: '10000.00', payment_method: 'GOPAY', phone_number: u.phone });
    expect([201, 202]).toContain(own.status);

    const reg = accessTokenFor(p, { userId: r.userId, username: r.username, role: 'USER' });
    expect((await call('GET', '/api/payment/account', reg)).body.data).toMatchObject({
      kyc_tier: 'REGISTERED',
      limits: { max_balance: '20000000.00', monthly_incoming: '40000000.00', transfers_to_others: true },
    });
  });
});
