import { describe, expect, it } from 'vitest';
import { paymentRuntime } from '../support/payment-runtime.ts';
import { isolatedPaymentPlatform } from '../support/isolated-payment-platform.ts';
import { accessTokenFor } from '../support/tokens.ts';
import { balanceOf, createCustomer } from '../support/payment-fixtures.ts';

const env = isolatedPaymentPlatform('onegate_kyc');

const call = env.call;

describe('KYC over HTTP', { timeout: 60_000 }, () => {
  it('GET /api/payment/account shows the tier, its limits and what remains; an unregistered account cannot pay another person', async () => {
    const u = await createCustomer(env.p.infra.orm, { tier: 'UNREGISTERED', balance: '500000.00' });
    const r = await createCustomer(env.p.infra.orm);
    const token = accessTokenFor(env.p, { userId: u.userId, username: u.username, role: 'USER' });
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
    const sandboxes = paymentRuntime(env.p.container).sandboxes!;
    sandboxes.gopay.control.registerWallet(r.phone, { name: 'Someone Else' });
    sandboxes.gopay.control.registerWallet(u.phone, { name: 'Own' });
    const other = await call('POST', '/api/payment/wallet/topup', token, { amount: '10000.00', payment_method: 'GOPAY', phone_number: r.phone });
    expect(other.status).toBe(422);
    expect(JSON.stringify(other.body.meta)).toContain('KYC_REQUIRED');
    expect(await balanceOf(env.p.infra.orm, u.accountId)).toBe('500000.00');
    expect(await balanceOf(env.p.infra.orm, r.accountId)).toBe('0.00');
    // Their own e-wallet they may top up.
    const own = await call('POST', '/api/payment/wallet/topup', token, { amount: '10000.00', payment_method: 'GOPAY', phone_number: u.phone });
    expect([201, 202]).toContain(own.status);

    const reg = accessTokenFor(env.p, { userId: r.userId, username: r.username, role: 'USER' });
    expect((await call('GET', '/api/payment/account', reg)).body.data).toMatchObject({
      kyc_tier: 'REGISTERED',
      limits: { max_balance: '20000000.00', monthly_incoming: '40000000.00', transfers_to_others: true },
    });
  });
});
