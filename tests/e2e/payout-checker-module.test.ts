import { describe, expect, it } from 'vitest';
import { Money } from '../../src/domain/shared/money.ts';
import { paymentRuntime, type PaymentRuntime } from '../support/payment-runtime.ts';
import { isolatedPaymentPlatform } from '../support/isolated-payment-platform.ts';
import { createCustomer, createMerchant, paymentKit } from '../support/payment-fixtures.ts';

// The payment module runs the payout checker by itself: its timer settles a payout the bank left
// unknown, over the module's own disbursement sandbox (no DISBURSEMENT_BASE_URL). A database of
// its own, so that this checker meets no other suite's payouts.
let runtime: PaymentRuntime;
const env = isolatedPaymentPlatform('onegate_payout_module', {
  reconciler: true,
  env: {
    // One bank call's worst case: 300 ms × 2 attempts + 50 ms = 650 ms ≤ the 1 s delay; the lease covers two.
    EWALLET_TIMEOUT_MS: '300',
    EWALLET_RETRIES: '1',
    EWALLET_BACKOFF_MS: '50',
    EWALLET_CIRCUIT_THRESHOLD: '1000',
    PAYOUT_CHECK_ENABLED: 'true',
    PAYOUT_CHECK_INTERVAL_MS: '200',
    PAYOUT_CHECK_AFTER_SECONDS: '1',
    PAYOUT_CHECK_BACKOFF_MAX_MS: '400',
    PAYOUT_CHECK_LEASE_MS: '5000',
  },
  seed: (p) => {
    runtime = paymentRuntime(p.container);
  },
});

const sql = env.sql;

/** Waits (a generous deadline, no timing asserted) until the payout is no longer PENDING. */
async function settled(reference: string): Promise<string> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const [row] = await sql<{ status: string }>(`select status from merchant_payouts where reference = ?`, [reference]);
    if (row!.status !== 'PENDING' || Date.now() > deadline) return row!.status;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function pendingPayout(net: string) {
  const kit = paymentKit(env.p.infra.orm);
  const merchant = await createMerchant(env.p.infra.orm, { category: 'DONATION' });
  const c = await createCustomer(env.p.infra.orm, { balance: net });
  await kit.pay.execute({ userId: c.userId, amount: Money.parse(net), merchantId: merchant.code });
  const bank = runtime.payouts.adapter!.sandbox!.control;
  bank.behave('transfer', { kind: 'pending' });
  const payout = await runtime.payouts.payouts.execute({ merchantCode: merchant.code });
  expect(payout.status).toBe('PENDING');
  return { merchant, payout, bank, balance: async () => (await kit.merchants.findByCode(merchant.code))!.balance.toString() };
}

describe('the payment module’s payout checker', () => {
  it('settles in the background a payout the bank answered later, and reports pending payouts in /metrics', { timeout: 30_000 }, async () => {
    const { payout, bank, balance } = await pendingPayout('6000.00');
    const metrics = await (await fetch(`${env.p.url}/metrics`)).text();
    expect(metrics).toMatch(/payouts_pending\{[^}]*\} 1\b/);
    expect(metrics).toMatch(/payouts_oldest_pending_age_seconds\{[^}]*\} \d/);
    // Still unknown at the bank: checked again and again, never a failure, the money stays out.
    await new Promise((r) => setTimeout(r, 1500));
    expect(
      (await sql<{ status: string; checks: number }>(`select status, checks from merchant_payouts where reference = ?`, [payout.reference]))[0],
    ).toMatchObject({ status: 'PENDING' });
    expect(await balance()).toBe('0.00');
    bank.settle(payout.reference, 'SUCCESS');
    expect(await settled(payout.reference)).toBe('SUCCESS');
    expect(await balance()).toBe('0.00');
  });

  it('a transfer the bank later fails: the checker returns the money, once', { timeout: 30_000 }, async () => {
    const { payout, bank, balance } = await pendingPayout('2500.00');
    bank.settle(payout.reference, 'FAILED', 'ACCOUNT_CLOSED');
    expect(await settled(payout.reference)).toBe('FAILED');
    expect(await balance()).toBe('2500.00');
    expect(await sql(`select 1 from ledger_entries where transaction_id = ?`, [`${payout.reference}:RETURN`])).toHaveLength(2);
  });
});
