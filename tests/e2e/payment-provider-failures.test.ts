import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type RunningPlatform } from '../../src/entrypoints/shared/platform.ts';
import { createPaymentModule } from '../../src/entrypoints/payment/payment.module.ts';
import { paymentRuntime, type PaymentRuntime } from '../support/payment-runtime.ts';
import type { Sandboxes } from '../../src/adapters/ewallet/index.ts';
import { realServicesConfig } from '../support/services.ts';
import { createIsolatedDatabase } from '../support/isolated-database.ts';
import { accessTokenFor } from '../support/tokens.ts';
import { balanceOf, createCustomer } from '../support/payment-fixtures.ts';

// The real GoPay HTTP adapter against its sandbox, with a short deadline and one retry, so that
// timeouts happen in test time.
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
    config: realServicesConfig({
      DATABASE_URL: db.url,
      EWALLET_TIMEOUT_MS: '300',
      EWALLET_RETRIES: '1',
      EWALLET_CIRCUIT_THRESHOLD: '3',
      EWALLET_CIRCUIT_OPEN_MS: '60000',
      SHOPEEPAY_ACCEPTANCE_WINDOW_MS: '500',
      PAYMENT_RECONCILE_INTERVAL_MS: '200',
    }),
  });
  runtime = paymentRuntime(p.container);
  sandboxes = runtime.sandboxes!;
});
afterAll(async () => {
  await p?.stop();
  await db?.drop();
});

async function topUp(token: string, body: Record<string, unknown>) {
  const r = await fetch(`${p.url}/api/payment/wallet/topup`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: r.status, body: (await r.json()) as { meta: Record<string, unknown>; data: Record<string, unknown> | null } };
}

describe('top-ups when the provider misbehaves (HTTP adapter and sandbox)', () => {
  it('a timeout (the provider did it, the answer never came) answers 202; the reconciler settles SUCCESS once, no double debit or credit', async () => {
    const c = await createCustomer(p.infra.orm, { balance: '50000.00' });
    const token = accessTokenFor(p, { userId: c.userId, username: c.username });
    sandboxes.gopay.control.registerWallet(c.phone);
    sandboxes.gopay.control.behave('topup', { kind: 'hang' }, 2); // the first attempt and its retry
    const r = await topUp(token, { amount: '20000.00', payment_method: 'GOPAY', phone_number: c.phone });
    expect(r.status).toBe(202);
    expect(r.body.data).toMatchObject({ transaction_status: 'PENDING' });
    const id = r.body.data!.transaction_id as string;
    expect(sandboxes.gopay.control.wallet(c.phone)!.balance.toString()).toBe('20000.00'); // the retry did not top up twice
    expect(await balanceOf(p.infra.orm, c.accountId)).toBe('30000.00');

    expect(await runtime.reconciler.runOnce(new Date(Date.now() + 3600_000))).toBeGreaterThanOrEqual(1);
    expect(await runtime.reconciler.runOnce(new Date(Date.now() + 3600_000))).toBe(0);
    await sandboxes.gopay.notifier.idle(); // the provider's own late notification: a duplicate by now
    const t = await runtime.ledger.findByTransactionId(id);
    expect(t!.status).toBe('SUCCESS');
    expect(await balanceOf(p.infra.orm, c.accountId)).toBe('30000.00');
    expect(sandboxes.gopay.control.wallet(c.phone)!.balance.toString()).toBe('20000.00');
    const refunds = (await p.infra.orm.em.getConnection().execute(`select 1 from historical_transactions where related_transaction_id = ?`, [id])) as unknown[];
    expect(refunds).toHaveLength(0);
  });

  it('with the provider down (5xx), the top-up stays pending; the reconciler releases it once when the provider never saw it and its window is over; then the circuit opens: 503, nothing debited', async () => {
    const c = await createCustomer(p.infra.orm, { balance: '50000.00' });
    const token = accessTokenFor(p, { userId: c.userId, username: c.username });
    sandboxes.shopeepay.control.registerWallet(c.phone);
    sandboxes.shopeepay.control.behave('topup', { kind: 'error', status: 500 }, 2);
    const r = await topUp(token, { amount: '10000.00', payment_method: 'SHOPEE_PAY', phone_number: c.phone });
    expect(r.status).toBe(202);
    const id = r.body.data!.transaction_id as string;
    // "Not found" right after the send is unknown: nothing released while the provider's window may be open.
    await runtime.reconciler.runOnce(new Date(Date.now() + 3600_000));
    expect((await runtime.ledger.findByTransactionId(id))!.status).toBe('PENDING');
    expect(await balanceOf(p.infra.orm, c.accountId)).toBe('40000.00');
    // Once the send fence (2 × the call's 800 ms worst case) and ShopeePay's 500 ms window have passed, it is final.
    await new Promise((r) => setTimeout(r, 2200));
    await expect
      .poll(
        async () => {
          await runtime.reconciler.runOnce(new Date(Date.now() + 3600_000));
          return (await runtime.ledger.findByTransactionId(id))!.status;
        },
        { timeout: 10_000, interval: 200 },
      )
      .toBe('FAILED');
    expect(await balanceOf(p.infra.orm, c.accountId)).toBe('50000.00');

    sandboxes.shopeepay.control.behave('*', { kind: 'error', status: 503 });
    for (let i = 0; i < 3; i++) await topUp(token, { amount: '10000.00', payment_method: 'SHOPEE_PAY', phone_number: c.phone });
    const open = await topUp(token, { amount: '10000.00', payment_method: 'SHOPEE_PAY', phone_number: c.phone });
    sandboxes.shopeepay.control.resetBehaviours();
    expect(open.status).toBe(503);
    expect(open.body.meta.error).toBe('PROVIDER_UNAVAILABLE');
    expect(await balanceOf(p.infra.orm, c.accountId)).toBe('50000.00');
  });
});
