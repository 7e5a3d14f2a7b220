import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrm, type Orm } from '../../src/adapters/persistence/orm.ts';
import { Money } from '../../src/domain/shared/money.ts';
import { DomainError } from '../../src/domain/shared/domain-error.ts';
import { requireEnv } from '../support/services.ts';
import { balanceOf, createCustomer, createMerchant, paymentKit, setStatus } from '../support/payment-fixtures.ts';

let orm: Orm;
let kit: ReturnType<typeof paymentKit>;
beforeAll(async () => {
  orm = await createOrm({ url: requireEnv('TEST_DATABASE_URL'), poolMax: 12 });
  kit = paymentKit(orm);
  for (const code of ['M', 'M-001', 'M-9']) await createMerchant(orm, { code });
});
afterAll(() => orm.close(true));

const m = (s: string) => Money.parse(s);
const sql = async <T>(q: string, p: unknown[] = []) => (await orm.em.getConnection().execute(q, p)) as T[];

async function expectError(p: Promise<unknown>, code: string, kind?: string) {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  expect((err as DomainError).code).toBe(code);
  if (kind) expect((err as DomainError).kind).toBe(kind);
}

/** Every journal movement sums to zero, and each of these accounts' balance equals its journal. */
async function expectBooksBalanced(accountIds: string[]) {
  const unbalanced = await sql(`select movement_id from ledger_entries group by movement_id having sum(amount) <> 0`);
  expect(unbalanced).toEqual([]);
  for (const id of accountIds) {
    const [r] = await sql<{ j: string; b: string }>(
      `select coalesce((select sum(amount) from ledger_entries where account_id = ?), 0)::numeric(15,2)::text as j, balance::text as b from accounts where id = ?`,
      [id, id],
    );
    expect(r!.j).toBe(r!.b);
  }
}

describe('system accounts (migration)', () => {
  it('exist, without users, and refuse to be both a customer and a system account', async () => {
    const rows = await sql<{ system_code: string; user_id: number | null }>(
      `select system_code, user_id from accounts where system_code is not null order by system_code`,
    );
    expect(rows.map((r) => r.system_code)).toEqual([
      'BANK_CAPITAL',
      'FEE_REVENUE',
      'FUNDING',
      'GOPAY_SETTLEMENT',
      'MERCHANT_SETTLEMENT',
      'PAYOUT_SETTLEMENT',
      'RISK_HOLD',
      'SHOPEE_PAY_SETTLEMENT',
    ]);
    expect(rows.every((r) => r.user_id === null)).toBe(true);
    await expect(sql(`insert into accounts (user_id, system_code) values (null, null)`)).rejects.toThrow(/accounts_owner_check/);
  });
});

describe('payments', () => {
  it('debits the customer, credits the merchant (and the fee), writes the row, the journal and the outbox event', async () => {
    const c = await createCustomer(orm, { balance: '100000.00' });
    const merchantBefore = (await kit.merchants.findByCode('M-001'))!.balance;
    const feesBefore = await kit.ledger.systemBalance('FEE_REVENUE');
    const t = await kit.pay.execute({ userId: c.userId, amount: m('25000.50'), merchantId: 'M-001', description: 'coffee' });
    expect(t).toMatchObject({ type: 'PAYMENT', status: 'SUCCESS', accountId: c.accountId, userId: c.userId, metadata: { merchant_id: 'M-001' } });
    expect(t.amount.toString()).toBe('25000.50');
    expect(t.balanceBefore.toString()).toBe('100000.00');
    expect(t.balanceAfter.toString()).toBe('74999.50');
    expect(t.transactionId).toMatch(/^PAY-\d{8}-[A-Z0-9]{20}$/);
    expect(await balanceOf(orm, c.accountId)).toBe('74999.50');
    const merchantGot = (await kit.merchants.findByCode('M-001'))!.balance.minor - merchantBefore.minor;
    expect(merchantGot + (await kit.ledger.systemBalance('FEE_REVENUE')).minor - feesBefore.minor).toBeGreaterThanOrEqual(2500050n);
    const events = await sql<{ event_type: string; event_key: string; payload: { payload: Record<string, unknown> } }>(
      `select event_type, event_key, payload from outbox_events where payload->'payload'->>'transaction_id' = ?`,
      [t.transactionId],
    );
    expect(events).toHaveLength(1);
    expect(events[0]!.event_type).toBe('transaction.created');
    expect(events[0]!.event_key).toBe(c.accountId);
    expect(events[0]!.payload.payload).toMatchObject({
      transaction_id: t.transactionId,
      account_id: c.accountId,
      user_id: c.userId,
      type: 'PAYMENT',
      status: 'SUCCESS',
      amount: '25000.50',
    });
    await expectBooksBalanced([c.accountId]);
  });

  it('refuses more than the balance (422) and a zero amount (400), changing nothing', async () => {
    const c = await createCustomer(orm, { balance: '1000.00' });
    await expectError(kit.pay.execute({ userId: c.userId, amount: m('1000.01'), merchantId: 'M' }), 'INSUFFICIENT_FUNDS', 'business_rule');
    await expectError(kit.pay.execute({ userId: c.userId, amount: Money.zero(), merchantId: 'M' }), 'INVALID_AMOUNT', 'invalid');
    expect(await balanceOf(orm, c.accountId)).toBe('1000.00');
    expect(await sql(`select 1 from historical_transactions where account_id = ? and transaction_type = 'PAYMENT'`, [c.accountId])).toHaveLength(0);
    // Exactly the balance is fine, down to zero.
    await kit.pay.execute({ userId: c.userId, amount: m('1000.00'), merchantId: 'M' });
    expect(await balanceOf(orm, c.accountId)).toBe('0.00');
  });

  it('refuses SUSPENDED and CLOSED accounts (403 ACCOUNT_NOT_ACTIVE)', async () => {
    const c = await createCustomer(orm, { balance: '5000.00' });
    await setStatus(orm, c.accountId, 'SUSPENDED');
    await expectError(kit.pay.execute({ userId: c.userId, amount: m('1.00'), merchantId: 'M' }), 'ACCOUNT_NOT_ACTIVE', 'forbidden');
    await setStatus(orm, c.accountId, 'CLOSED');
    await expectError(kit.pay.execute({ userId: c.userId, amount: m('1.00'), merchantId: 'M' }), 'ACCOUNT_NOT_ACTIVE', 'forbidden');
    expect(await balanceOf(orm, c.accountId)).toBe('5000.00');
  });

  it('a payer whose account id is remembered is refused at once when suspended or frozen: the status is read under the lock, never remembered', async () => {
    const c = await createCustomer(orm, { balance: '5000.00' });
    await kit.pay.execute({ userId: c.userId, amount: m('1.00'), merchantId: 'M' });
    await setStatus(orm, c.accountId, 'SUSPENDED');
    await expectError(kit.pay.execute({ userId: c.userId, amount: m('1.00'), merchantId: 'M' }), 'ACCOUNT_NOT_ACTIVE', 'forbidden');
    await setStatus(orm, c.accountId, 'ACTIVE');
    await kit.pay.execute({ userId: c.userId, amount: m('1.00'), merchantId: 'M' });
    await sql(`update accounts set freeze_level = 'DEBIT', freeze_reason = 'test', frozen_at = now(), frozen_by = 'ops' where id = ?`, [c.accountId]);
    await expectError(kit.pay.execute({ userId: c.userId, amount: m('1.00'), merchantId: 'M' }), 'ACCOUNT_FROZEN', 'forbidden');
    expect(await balanceOf(orm, c.accountId)).toBe('4998.00');
  });

  it('a user without an account is refused (404) and not remembered as such', async () => {
    const [u] = await sql<{ id: number }>(`insert into users (username, email, phone, password) values (?, ?, ?, 'x') returning id`, [
      `noacct${Date.now()}`,
      `noacct${Date.now()}@example.com`,
      `+62815${String(Date.now()).slice(-8)}`,
    ]);
    await expectError(kit.pay.execute({ userId: u!.id, amount: m('1.00'), merchantId: 'M' }), 'ACCOUNT_NOT_FOUND', 'not_found');
    await sql(`insert into accounts (user_id, balance) values (?, 0)`, [u!.id]);
    await expectError(kit.pay.execute({ userId: u!.id, amount: m('1.00'), merchantId: 'M' }), 'INSUFFICIENT_FUNDS');
  });
});

describe('transfers', () => {
  it('writes one row per side, linked, found by username, phone (any form) or account id', async () => {
    const a = await createCustomer(orm, { balance: '50000.00' });
    const b = await createCustomer(orm);
    const byName = await kit.transfer.execute({ userId: a.userId, username: a.username, recipient: b.username, amount: m('100.00') });
    expect(byName.sender).toMatchObject({ type: 'TRANSFER', status: 'SUCCESS', accountId: a.accountId, relatedTransactionId: byName.recipient!.transactionId });
    expect(byName.recipient).toMatchObject({
      type: 'TRANSFER',
      status: 'SUCCESS',
      accountId: b.accountId,
      userId: b.userId,
      relatedTransactionId: byName.sender.transactionId,
    });
    expect(byName.recipient!.balanceBefore.toString()).toBe('0.00');
    expect(byName.recipient!.balanceAfter.toString()).toBe('100.00');
    await kit.transfer.execute({ userId: a.userId, username: a.username, recipient: `0${b.phone.slice(3)}`, amount: m('200.00') });
    await kit.transfer.execute({ userId: a.userId, username: a.username, recipient: b.accountId, amount: m('300.00') });
    expect(await balanceOf(orm, b.accountId)).toBe('600.00');
    expect(await balanceOf(orm, a.accountId)).toBe('49400.00');
    await expectBooksBalanced([a.accountId, b.accountId]);
  });

  it('refuses self-transfer (400), unknown recipients (404) and inactive recipients (422)', async () => {
    const a = await createCustomer(orm, { balance: '1000.00' });
    const b = await createCustomer(orm);
    await expectError(kit.transfer.execute({ userId: a.userId, username: a.username, recipient: a.username, amount: m('1.00') }), 'SELF_TRANSFER', 'invalid');
    await expectError(kit.transfer.execute({ userId: a.userId, username: a.username, recipient: a.phone, amount: m('1.00') }), 'SELF_TRANSFER', 'invalid');
    await expectError(
      kit.transfer.execute({ userId: a.userId, username: a.username, recipient: 'nobody_here_at_all', amount: m('1.00') }),
      'RECIPIENT_NOT_FOUND',
      'not_found',
    );
    await setStatus(orm, b.accountId, 'CLOSED');
    await expectError(
      kit.transfer.execute({ userId: a.userId, username: a.username, recipient: b.username, amount: m('1.00') }),
      'RECIPIENT_NOT_ACTIVE',
      'business_rule',
    );
    expect(await balanceOf(orm, a.accountId)).toBe('1000.00');
  });

  it('200 concurrent transfers among 10 accounts keep the total constant and no balance negative', async () => {
    const cs = await Promise.all(Array.from({ length: 10 }, () => createCustomer(orm, { balance: '1000.00' })));
    const ids = cs.map((c) => c.accountId);
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) => {
        const from = cs[i % 10]!;
        const to = cs[(i * 7 + 3) % 10 === i % 10 ? (i + 1) % 10 : (i * 7 + 3) % 10]!;
        // Amounts that will exhaust some balances, so refusals happen too.
        return kit.transfer.execute({ userId: from.userId, username: from.username, recipient: to.accountId, amount: m(`${(i % 9) * 50 + 25}.25`) });
      }),
    );
    const failures = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason as DomainError);
    expect(failures.every((e) => e instanceof DomainError && e.code === 'INSUFFICIENT_FUNDS')).toBe(true);
    const rows = await sql<{ total: string; min: string }>(
      `select sum(balance)::text as total, min(balance)::text as min from accounts where id = any(?::uuid[])`,
      [`{${ids.join(',')}}`],
    );
    expect(rows[0]!.total).toBe('10000.00');
    expect(Number(rows[0]!.min)).toBeGreaterThanOrEqual(0);
    const succeeded = results.filter((r) => r.status === 'fulfilled').length;
    const [row] = await sql<{ n: number }>(
      `select count(*)::int as n from historical_transactions where account_id = any(?::uuid[]) and transaction_type = 'TRANSFER' and metadata like '%"direction":"OUT"%'`,
      [`{${ids.join(',')}}`],
    );
    expect(row!.n).toBe(succeeded);
    await expectBooksBalanced(ids);
  });
});

describe('refunds', () => {
  it('refunds in part and in full, never more than paid, to the payer (even SUSPENDED)', async () => {
    const c = await createCustomer(orm, { balance: '100000.00' });
    const p = await kit.pay.execute({ userId: c.userId, amount: m('30000.00'), merchantId: 'M-9' });
    const r1 = await kit.refund.execute({ transactionId: p.transactionId, amount: m('10000.00'), operator: 'test' });
    expect(r1).toMatchObject({ type: 'REFUND', status: 'SUCCESS', accountId: c.accountId, relatedTransactionId: p.transactionId });
    await expectError(
      kit.refund.execute({ transactionId: p.transactionId, amount: m('20000.01'), operator: 'test' }),
      'REFUND_EXCEEDS_PAYMENT',
      'business_rule',
    );
    await setStatus(orm, c.accountId, 'SUSPENDED');
    const r2 = await kit.refund.execute({ transactionId: p.transactionId, operator: 'test' });
    expect(r2.amount.toString()).toBe('20000.00');
    expect(await balanceOf(orm, c.accountId)).toBe('100000.00');
    await expectError(kit.refund.execute({ transactionId: p.transactionId, operator: 'test' }), 'TRANSACTION_NOT_REFUNDABLE');
    await expectError(kit.refund.execute({ transactionId: 'PAY-NOPE', operator: 'test' }), 'TRANSACTION_NOT_FOUND', 'not_found');
    await expectError(kit.refund.execute({ transactionId: r1.transactionId, operator: 'test' }), 'TRANSACTION_NOT_REFUNDABLE');
    await expectBooksBalanced([c.accountId]);
  });

  it('concurrent refunds of one payment never exceed it', async () => {
    const c = await createCustomer(orm, { balance: '10000.00' });
    const p = await kit.pay.execute({ userId: c.userId, amount: m('10000.00'), merchantId: 'M' });
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => kit.refund.execute({ transactionId: p.transactionId, amount: m('3000.00'), operator: 'test' })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    expect(await balanceOf(orm, c.accountId)).toBe('9000.00');
  });
});

describe('account status', () => {
  it('suspends, reactivates, and closes only an empty account', async () => {
    const c = await createCustomer(orm, { balance: '10.00' });
    expect((await kit.changeStatus.execute(c.accountId, 'SUSPENDED')).after.status).toBe('SUSPENDED');
    await expectError(kit.changeStatus.execute(c.accountId, 'SUSPENDED'), 'ACCOUNT_STATUS_CHANGE_NOT_ALLOWED', 'conflict');
    expect((await kit.changeStatus.execute(c.accountId, 'ACTIVE')).after.status).toBe('ACTIVE');
    await expectError(kit.changeStatus.execute(c.accountId, 'CLOSED'), 'ACCOUNT_BALANCE_NOT_ZERO');
    await kit.pay.execute({ userId: c.userId, amount: m('10.00'), merchantId: 'M' });
    expect((await kit.changeStatus.execute(c.accountId, 'CLOSED')).after.status).toBe('CLOSED');
    await expectError(kit.changeStatus.execute(c.accountId, 'ACTIVE'), 'ACCOUNT_STATUS_CHANGE_NOT_ALLOWED');
    const [funding] = await sql<{ id: string }>(`select id from accounts where system_code = 'FUNDING'`);
    await expectError(kit.changeStatus.execute(funding!.id, 'SUSPENDED'), 'SYSTEM_ACCOUNT', 'forbidden');
  });

  it('credits from the FUNDING account only to ACTIVE customer accounts', async () => {
    const c = await createCustomer(orm);
    const before = await kit.ledger.systemBalance('FUNDING');
    const t = await kit.credit.execute({ accountId: c.accountId, amount: m('123.45'), operator: 'ops' });
    expect(t).toMatchObject({ type: 'TRANSFER', status: 'SUCCESS', metadata: { source: 'FUNDING', operator: 'ops' } });
    expect(before.minor - (await kit.ledger.systemBalance('FUNDING')).minor).toBeGreaterThanOrEqual(12345n);
    await setStatus(orm, c.accountId, 'SUSPENDED');
    await expectError(kit.credit.execute({ accountId: c.accountId, amount: m('1.00'), operator: 'ops' }), 'ACCOUNT_NOT_ACTIVE');
    const [funding] = await sql<{ id: string }>(`select id from accounts where system_code = 'FUNDING'`);
    await expectError(kit.credit.execute({ accountId: funding!.id, amount: m('1.00'), operator: 'ops' }), 'ACCOUNT_NOT_FOUND');
  });
});

describe('balance cache', () => {
  it('is invalidated by every change', async () => {
    const c = await createCustomer(orm, { balance: '500.00' });
    expect((await kit.getBalance.execute(c.userId)).balance.toString()).toBe('500.00');
    await kit.pay.execute({ userId: c.userId, amount: m('100.00'), merchantId: 'M' });
    expect((await kit.getBalance.execute(c.userId)).balance.toString()).toBe('400.00');
  });
});
