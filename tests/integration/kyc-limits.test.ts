import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrm, type Orm } from '../../src/adapters/persistence/orm.ts';
import { PostgresLedgerRepository } from '../../src/adapters/persistence/payment/postgres-ledger.repository.ts';
import { PostgresAccountRepository } from '../../src/adapters/persistence/payment/postgres-account.repository.ts';
import { CreateTransferHandler } from '../../src/application/payment/create-transfer/create-transfer.handler.ts';
import { DEFAULT_KYC_LIMITS, type KycLimits } from '../../src/domain/ledger/limits.ts';
import { Money } from '../../src/domain/shared/money.ts';
import { newTransactionId } from '../../src/domain/shared/ids.ts';
import { requireEnv } from '../support/services.ts';
import { balanceOf, createCustomer, paymentKit } from '../support/payment-fixtures.ts';

// The limits on the real ledger: 100 credits and transfers into one account at once, each
// checked under the account's row lock, never take it above its balance or monthly limit.
let orm: Orm;
beforeAll(async () => {
  orm = await createOrm({ url: requireEnv('TEST_DATABASE_URL'), poolMax: 12 });
});
afterAll(() => orm.close(true));

const m = (s: string) => Money.parse(s);

async function storm(limits: KycLimits, target: { accountId: string }, amountOf: (i: number) => string) {
  const ledger = new PostgresLedgerRepository(orm, { topic: 'test', limits });
  const accounts = new PostgresAccountRepository(orm);
  const senders = await Promise.all([0, 1, 2, 3].map(() => createCustomer(orm, { balance: '5000000.00' })));
  const transfers = new CreateTransferHandler(accounts, ledger);
  const ops = Array.from({ length: 100 }, (_, i) =>
    i % 2 === 0
      ? ledger.move({
          amount: m(amountOf(i)),
          from: { system: 'FUNDING' },
          to: { accountId: target.accountId },
          fromRule: 'any',
          toRule: 'active',
          toRow: { transactionId: newTransactionId('TRF'), type: 'TRANSFER', status: 'SUCCESS', description: 'storm credit' },
        })
      : transfers.execute({ userId: senders[i % 4]!.userId, username: senders[i % 4]!.username, recipient: target.accountId, amount: m(amountOf(i)) }),
  );
  const settled = await Promise.allSettled(ops);
  const refusals = settled
    .filter((s) => s.status === 'rejected')
    .map((s) => ((s as PromiseRejectedResult).reason as { code?: string }).code ?? String((s as PromiseRejectedResult).reason));
  const accepted = settled.map((s, i) => (s.status === 'fulfilled' ? m(amountOf(i)).minor : 0n)).reduce((a, b) => a + b, 0n);
  return { refusals, accepted };
}

describe('KYC limits on the real ledger under concurrency', { timeout: 180_000 }, () => {
  it('an UNREGISTERED account never exceeds Rp2,000,000 however 100 concurrent credits and transfers interleave', async () => {
    const target = await createCustomer(orm, { tier: 'UNREGISTERED' });
    const { refusals, accepted } = await storm(DEFAULT_KYC_LIMITS, target, (i) => `${30000 + (i % 7) * 10000}.00`);
    const balance = m(await balanceOf(orm, target.accountId)).minor;
    expect(balance).toBe(accepted);
    expect(balance).toBeLessThanOrEqual(DEFAULT_KYC_LIMITS.UNREGISTERED.maxBalance);
    expect(refusals.length).toBeGreaterThan(0);
    expect(new Set(refusals)).toEqual(new Set(['BALANCE_LIMIT_EXCEEDED']));
    // No room left for the smallest amount of the storm: the limit was reached, not merely respected.
    expect(DEFAULT_KYC_LIMITS.UNREGISTERED.maxBalance - balance).toBeLessThan(m('30000.00').minor);
  });

  it('a REGISTERED account never receives more than the monthly limit', async () => {
    const limits: KycLimits = { ...DEFAULT_KYC_LIMITS, REGISTERED: { ...DEFAULT_KYC_LIMITS.REGISTERED, monthlyIncoming: m('1000000.00').minor } };
    const target = await createCustomer(orm);
    const { refusals, accepted } = await storm(limits, target, (i) => `${20000 + (i % 5) * 10000}.00`);
    expect(accepted).toBeLessThanOrEqual(m('1000000.00').minor);
    expect(m(await balanceOf(orm, target.accountId)).minor).toBe(accepted);
    expect(new Set(refusals)).toEqual(new Set(['MONTHLY_LIMIT_EXCEEDED']));
    expect(m('1000000.00').minor - accepted).toBeLessThan(m('20000.00').minor);
  });

  it('an UNREGISTERED account may not transfer to another person (KYC_REQUIRED), and nothing moves', async () => {
    const ledger = new PostgresLedgerRepository(orm, { topic: 'test', limits: DEFAULT_KYC_LIMITS });
    const payer = await createCustomer(orm, { tier: 'UNREGISTERED', balance: '100000.00' });
    const payee = await createCustomer(orm);
    const err = await new CreateTransferHandler(new PostgresAccountRepository(orm), ledger)
      .execute({ userId: payer.userId, username: payer.username, recipient: payee.username, amount: m('1000.00') })
      .catch((e: unknown) => e);
    expect((err as { code: string }).code).toBe('KYC_REQUIRED');
    expect(await balanceOf(orm, payer.accountId)).toBe('100000.00');
    expect(await balanceOf(orm, payee.accountId)).toBe('0.00');
  });
});

describe('KYC limits with top-ups in flight', { timeout: 180_000 }, () => {
  it('100 concurrent top-ups and transfers into one UNREGISTERED account: however the pending top-ups end, the balance never exceeds Rp2,000,000', async () => {
    const kit = paymentKit(orm, { limits: DEFAULT_KYC_LIMITS });
    const target = await createCustomer(orm, { tier: 'UNREGISTERED', balance: '1000000.00' });
    const phone = (await new PostgresAccountRepository(orm).phoneOf(target.userId))!;
    kit.gopay.control.registerWallet(phone, { name: 'Own Wallet' });
    const senders = await Promise.all([0, 1, 2, 3].map(() => createCustomer(orm, { balance: '5000000.00' })));
    // Every top-up stays pending at the provider: its amount may come back (a release), so the
    // ledger counts it as in flight towards the account while transfers arrive.
    kit.gopay.control.behave('topup', { kind: 'pending' }, 50);
    const ops = Array.from({ length: 100 }, (_, i) =>
      i % 2 === 0
        ? kit.topUp.execute({ userId: target.userId, amount: m('20000.00'), method: 'GOPAY', phone })
        : kit.transfer.execute({ userId: senders[i % 4]!.userId, username: senders[i % 4]!.username, recipient: target.accountId, amount: m('40000.00') }),
    );
    const settled = await Promise.allSettled(ops);
    const codes = new Set(settled.filter((s) => s.status === 'rejected').map((s) => ((s as PromiseRejectedResult).reason as { code?: string }).code));
    expect([...codes].every((c) => c === 'BALANCE_LIMIT_EXCEEDED' || c === 'INSUFFICIENT_FUNDS')).toBe(true);
    expect(codes.has('BALANCE_LIMIT_EXCEEDED')).toBe(true);
    const state = await kit.ledger.limitState(target.accountId);
    expect(m(await balanceOf(orm, target.accountId)).minor + state.inFlight).toBeLessThanOrEqual(DEFAULT_KYC_LIMITS.UNREGISTERED.maxBalance);
    // The provider declines them all: every release comes back, and still the limit holds.
    const pending = (await kit.ledger.history(target.accountId, 500)).filter((t) => t.type === 'TOPUP' && t.status === 'PENDING');
    expect(pending.length).toBeGreaterThan(0);
    await Promise.all(pending.map((t) => kit.ledger.settleTopUp(t.transactionId, 'FAILED', { reason: 'declined' })));
    expect(m(await balanceOf(orm, target.accountId)).minor).toBeLessThanOrEqual(DEFAULT_KYC_LIMITS.UNREGISTERED.maxBalance);
  });
});
