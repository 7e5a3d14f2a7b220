import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrm, type Orm } from '../../src/adapters/persistence/orm.ts';
import { Money } from '../../src/domain/shared/money.ts';
import { DomainError } from '../../src/domain/shared/domain-error.ts';
import { createIsolatedDatabase } from '../support/isolated-database.ts';
import { balanceOf, createCustomer, paymentKit, setStatus, type Customer } from '../support/payment-fixtures.ts';

// A database of its own: the reconciler settles every due PENDING top-up it finds, and another
// suite's top-ups are unknown to this suite's provider fake (it would release them).
let db: Awaited<ReturnType<typeof createIsolatedDatabase>>;
let orm: Orm;
let kit: ReturnType<typeof paymentKit>;
beforeAll(async () => {
  db = await createIsolatedDatabase('onegate_topups');
  orm = await createOrm({ url: db.url, poolMax: 8 });
  kit = paymentKit(orm);
});
afterAll(async () => {
  await orm.close(true);
  await db.drop();
});

const m = (s: string) => Money.parse(s);
const sql = async <T>(q: string, p: unknown[] = []) => (await orm.em.getConnection().execute(q, p)) as T[];

async function customerWithWallet(balance = '100000.00'): Promise<Customer> {
  const c = await createCustomer(orm, { balance });
  kit.gopay.control.registerWallet(c.phone, { name: 'Test Wallet' });
  return c;
}

async function errorOf(p: Promise<unknown>): Promise<DomainError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DomainError);
  return e as DomainError;
}

const walletBalance = (c: Customer) => kit.gopay.control.wallet(c.phone)!.balance.toString();
const refundsOf = (transactionId: string) =>
  sql<{ amount: string }>(`select amount::text from historical_transactions where related_transaction_id = ? and transaction_type = 'REFUND'`, [transactionId]);
const updatesOf = (transactionId: string) =>
  sql(`select 1 from outbox_events where event_type = 'transaction.updated' and payload->'payload'->>'transaction_id' = ?`, [transactionId]);

describe('top-up (account → e-wallet) with an in-memory provider over real PostgreSQL', () => {
  it('debits the account, credits the provider settlement account and the e-wallet: 201', async () => {
    const c = await customerWithWallet();
    const settlement = await kit.ledger.systemBalance('GOPAY_SETTLEMENT');
    const o = await kit.topUp.execute({ userId: c.userId, amount: m('15000.00'), method: 'GOPAY', phone: c.phone, description: 'top up' });
    expect(o.kind).toBe('success');
    expect(o.transaction).toMatchObject({ type: 'TOPUP', status: 'SUCCESS', paymentMethod: 'GOPAY' });
    expect(o.transaction.externalReference).toMatch(/^GPT/);
    expect(o.transaction.metadata).toMatchObject({ ewallet_phone: `${c.phone.slice(0, 6)}****${c.phone.slice(-4)}` });
    expect(o.transaction.balanceAfter.toString()).toBe('85000.00');
    expect(await balanceOf(orm, c.accountId)).toBe('85000.00');
    expect(walletBalance(c)).toBe('15000.00');
    expect((await kit.ledger.systemBalance('GOPAY_SETTLEMENT')).minor - settlement.minor).toBeGreaterThanOrEqual(1500000n);
    expect(await updatesOf(o.transaction.transactionId)).toHaveLength(1);
  });

  it('validates before moving money: limits, account status, balance, e-wallet existence', async () => {
    const c = await customerWithWallet('50000.00');
    expect((await errorOf(kit.topUp.execute({ userId: c.userId, amount: m('9999.99'), method: 'GOPAY', phone: c.phone }))).code).toBe('AMOUNT_BELOW_MINIMUM');
    expect((await errorOf(kit.topUp.execute({ userId: c.userId, amount: m('20000000.01'), method: 'GOPAY', phone: c.phone }))).code).toBe(
      'AMOUNT_ABOVE_MAXIMUM',
    );
    expect((await errorOf(kit.topUp.execute({ userId: c.userId, amount: m('50000.01'), method: 'GOPAY', phone: c.phone }))).code).toBe('INSUFFICIENT_FUNDS');
    expect((await errorOf(kit.topUp.execute({ userId: c.userId, amount: m('10000.00'), method: 'GOPAY', phone: '+6289990000000' }))).code).toBe(
      'EWALLET_NOT_FOUND',
    );
    await setStatus(orm, c.accountId, 'SUSPENDED');
    const e = await errorOf(kit.topUp.execute({ userId: c.userId, amount: m('10000.00'), method: 'GOPAY', phone: c.phone }));
    expect([e.code, e.kind]).toEqual(['ACCOUNT_NOT_ACTIVE', 'forbidden']);
    expect(await balanceOf(orm, c.accountId)).toBe('50000.00');
    expect(await sql(`select 1 from historical_transactions where account_id = ? and transaction_type = 'TOPUP'`, [c.accountId])).toHaveLength(0);
  });

  it('a decline fails the top-up and releases the money once, with a linked REFUND row', async () => {
    const c = await customerWithWallet();
    kit.gopay.control.behave('topup', { kind: 'decline', reason: 'WALLET_FROZEN' }, 1);
    const o = await kit.topUp.execute({ userId: c.userId, amount: m('20000.00'), method: 'GOPAY', phone: c.phone });
    expect(o.kind).toBe('failed');
    if (o.kind !== 'failed') return;
    expect(o.code).toBe('TOPUP_DECLINED');
    expect(o.transaction.status).toBe('FAILED');
    expect(o.release).toMatchObject({ type: 'REFUND', status: 'SUCCESS', relatedTransactionId: o.transaction.transactionId });
    expect(await balanceOf(orm, c.accountId)).toBe('100000.00');
    expect(walletBalance(c)).toBe('0.00');
    // Late duplicates (webhook, reconciler) change nothing.
    await kit.settle.execute(o.transaction.transactionId);
    expect(await kit.reconciler.runOnce()).toBeGreaterThanOrEqual(0);
    expect(await refundsOf(o.transaction.transactionId)).toEqual([{ amount: '20000.00' }]);
    expect(await balanceOf(orm, c.accountId)).toBe('100000.00');
  });

  it('a provider timeout followed by a late success never credits or debits twice', async () => {
    const c = await customerWithWallet();
    // "hang": the provider does the top-up, but the answer never comes back.
    kit.gopay.control.behave('topup', { kind: 'hang' }); // every attempt, retries included
    const o = await kit.topUp.execute({ userId: c.userId, amount: m('30000.00'), method: 'GOPAY', phone: c.phone });
    kit.gopay.control.resetBehaviours();
    expect(o.kind).toBe('pending');
    expect(o.transaction.status).toBe('PENDING');
    expect(await balanceOf(orm, c.accountId)).toBe('70000.00');
    expect(walletBalance(c)).toBe('30000.00');
    await kit.reconciler.runOnce();
    await kit.reconciler.runOnce();
    await kit.settle.execute(o.transaction.transactionId);
    const t = await kit.ledger.findByTransactionId(o.transaction.transactionId);
    expect(t!.status).toBe('SUCCESS');
    expect(await balanceOf(orm, c.accountId)).toBe('70000.00');
    expect(walletBalance(c)).toBe('30000.00');
    expect(kit.gopay.control.requests('topup')).toBeGreaterThan(0);
    expect(await refundsOf(o.transaction.transactionId)).toEqual([]);
    expect(await updatesOf(o.transaction.transactionId)).toHaveLength(1);
  });

  it('a top-up the provider never saw (5xx) stays pending while NOT_FOUND is unknown, then the reconciler releases it once', async () => {
    const c = await customerWithWallet();
    kit.gopay.control.behave('topup', { kind: 'error', status: 503 }); // every attempt, retries included
    const o = await kit.topUp.execute({ userId: c.userId, amount: m('10000.00'), method: 'GOPAY', phone: c.phone });
    kit.gopay.control.resetBehaviours();
    expect(o.kind).toBe('pending');
    expect(await balanceOf(orm, c.accountId)).toBe('90000.00');
    // Right after the send, "not found" is unknown (the request may still be on its way): nothing released.
    await kit.reconciler.runOnce();
    await kit.settle.execute(o.transaction.transactionId);
    expect((await kit.ledger.findByTransactionId(o.transaction.transactionId))!.status).toBe('PENDING');
    expect(await balanceOf(orm, c.accountId)).toBe('90000.00');
    // Once the send fence and the acceptance window have passed (1.7 s here), NOT_FOUND is final.
    await new Promise((r) => setTimeout(r, 1800));
    await Promise.all([kit.reconciler.runOnce(), kit.reconciler.runOnce(), kit.settle.execute(o.transaction.transactionId)]);
    expect((await kit.ledger.findByTransactionId(o.transaction.transactionId))!.status).toBe('FAILED');
    expect(await balanceOf(orm, c.accountId)).toBe('100000.00');
    expect(await refundsOf(o.transaction.transactionId)).toEqual([{ amount: '10000.00' }]);
    expect(walletBalance(c)).toBe('0.00');
  });

  it.each(['SUCCESS', 'FAILED'] as const)('webhook and reconciler racing settle a pending top-up once (%s)', async (final) => {
    const c = await customerWithWallet();
    kit.gopay.control.behave('topup', { kind: 'pending' }, 1);
    const o = await kit.topUp.execute({ userId: c.userId, amount: m('12345.67'), method: 'GOPAY', phone: c.phone });
    expect(o.kind).toBe('pending');
    expect(await kit.reconciler.runOnce()).toBe(0); // still pending at the provider: nothing to do
    kit.gopay.control.settle(o.transaction.transactionId, final, 'DECLINED');
    // Ten webhook deliveries and two reconciler passes at once.
    const results = await Promise.all([
      ...Array.from({ length: 10 }, () => kit.settle.execute(o.transaction.transactionId)),
      kit.reconciler.runOnce(),
      kit.reconciler.runOnce(),
    ]);
    const applied =
      results.filter((r) => typeof r === 'object' && r.kind === 'settled' && r.result.applied).length +
      results.filter((r) => typeof r === 'number').reduce<number>((a, n) => a + (n as number), 0);
    expect(applied).toBe(1);
    expect((await kit.ledger.findByTransactionId(o.transaction.transactionId))!.status).toBe(final);
    expect(await updatesOf(o.transaction.transactionId)).toHaveLength(1);
    expect(await refundsOf(o.transaction.transactionId)).toEqual(final === 'FAILED' ? [{ amount: '12345.67' }] : []);
    expect(await balanceOf(orm, c.accountId)).toBe(final === 'FAILED' ? '100000.00' : '87654.33');
    expect(walletBalance(c)).toBe(final === 'FAILED' ? '0.00' : '12345.67');
  });

  it('a failed top-up releases money even into an account suspended meanwhile', async () => {
    const c = await customerWithWallet();
    kit.gopay.control.behave('topup', { kind: 'pending' }, 1);
    const o = await kit.topUp.execute({ userId: c.userId, amount: m('10000.00'), method: 'GOPAY', phone: c.phone });
    await setStatus(orm, c.accountId, 'SUSPENDED');
    kit.gopay.control.settle(o.transaction.transactionId, 'FAILED');
    await kit.settle.execute(o.transaction.transactionId);
    expect(await balanceOf(orm, c.accountId)).toBe('100000.00');
  });

  it('closing an account with a pending top-up is refused', async () => {
    const c = await customerWithWallet('10000.00');
    kit.gopay.control.behave('topup', { kind: 'pending' }, 1);
    await kit.topUp.execute({ userId: c.userId, amount: m('10000.00'), method: 'GOPAY', phone: c.phone });
    expect((await errorOf(kit.changeStatus.execute(c.accountId, 'CLOSED'))).code).toBe('ACCOUNT_BALANCE_NOT_ZERO');
  });

  it("a settlement that comes second (the request after the webhook) reports the first one's release", async () => {
    const c = await customerWithWallet();
    kit.gopay.control.behave('topup', { kind: 'pending' }, 1);
    const o = await kit.topUp.execute({ userId: c.userId, amount: m('12000.00'), method: 'GOPAY', phone: c.phone });
    expect(o.kind).toBe('pending');
    const first = await kit.ledger.settleTopUp(o.transaction.transactionId, 'FAILED', { reason: 'RISK_REJECTED' });
    const second = await kit.ledger.settleTopUp(o.transaction.transactionId, 'FAILED', { reason: 'RISK_REJECTED' });
    expect([first.applied, second.applied]).toEqual([true, false]);
    expect(first.release).not.toBeNull();
    expect(second.release?.transactionId).toBe(first.release?.transactionId);
    expect(await refundsOf(o.transaction.transactionId)).toHaveLength(1);
  });
});
