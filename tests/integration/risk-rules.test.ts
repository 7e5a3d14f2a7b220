import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOrm, type Orm } from '../../src/adapters/persistence/orm.ts';
import { Money } from '../../src/domain/shared/money.ts';
import { DomainError } from '../../src/domain/shared/domain-error.ts';
import type { RiskRule } from '../../src/domain/risk/risk-rules.ts';
import { PostgresRiskStore } from '../../src/adapters/persistence/risk/postgres-risk.store.ts';
import { RiskScreen } from '../../src/application/risk/risk-screen.ts';
import { DecideRiskCaseHandler } from '../../src/application/risk/decide-risk-case.handler.ts';
import { CreateTransferHandler } from '../../src/application/payment/create-transfer/create-transfer.handler.ts';
import { CreatePaymentHandler } from '../../src/application/payment/create-payment/create-payment.handler.ts';
import { TopUpHandler } from '../../src/application/payment/top-up/top-up.handler.ts';
import { BI_QRIS_FEE_TABLE } from '../../src/domain/merchant/mdr.ts';
import { createIsolatedDatabase } from '../support/isolated-database.ts';
import { balanceOf, createCustomer, createMerchant, paymentKit, type Customer } from '../support/payment-fixtures.ts';

// The rules are one table per database: a database of its own, so switching them on here cannot hold other suites' movements.
let db: Awaited<ReturnType<typeof createIsolatedDatabase>>;
let orm: Orm;
let kit: ReturnType<typeof paymentKit>;
let store: PostgresRiskStore;
let transfer: CreateTransferHandler;
let pay: CreatePaymentHandler;
let topUp: TopUpHandler;
let decide: DecideRiskCaseHandler;

beforeAll(async () => {
  db = await createIsolatedDatabase('onegate_risk');
  orm = await createOrm({ url: db.url, poolMax: 12 });
  kit = paymentKit(orm);
  store = new PostgresRiskStore(orm);
  const risk = new RiskScreen(store);
  transfer = new CreateTransferHandler(kit.accounts, kit.ledger, risk);
  pay = new CreatePaymentHandler(kit.accounts, kit.ledger, kit.merchants, BI_QRIS_FEE_TABLE, risk);
  topUp = new TopUpHandler({
    accounts: kit.accounts,
    ledger: kit.ledger,
    providers: { GOPAY: kit.gopay, SHOPEE_PAY: kit.shopeepay },
    maxAmount: Money.parse('20000000.00'),
    sendDeadlineMs: 1500,
    risk,
  });
  decide = new DecideRiskCaseHandler(store, kit.ledger);
  await createMerchant(orm, { code: 'RISK-M' });
});
afterAll(async () => {
  await orm?.close(true);
  await db?.drop();
});

const m = (s: string) => Money.parse(s);
const sql = async <T>(q: string, p: unknown[] = []) => (await orm.em.getConnection().execute(q, p)) as T[];
const totalMoney = async () => (await sql<{ s: string }>(`select sum(balance)::text as s from accounts`))[0]!.s;
const holdBalance = async () => (await kit.ledger.systemBalance('RISK_HOLD')).toString();

async function only(code: RiskRule['code'], outcome: RiskRule['outcome'], params: RiskRule['params']) {
  for (const r of await store.rules()) await store.setRule({ ...r, enabled: false }, 'test');
  const r = (await store.rules()).find((x) => x.code === code)!;
  await store.setRule({ ...r, enabled: true, outcome, params: { ...r.params, ...params } }, 'test');
}

async function refusal(p: Promise<unknown>): Promise<string | null> {
  return p.then(
    () => null,
    (e: unknown) => (e instanceof DomainError ? e.code : String(e)),
  );
}

const send = (from: Customer, to: Customer, amount: string) =>
  transfer.execute({ userId: from.userId, username: from.username, recipient: to.accountId, amount: m(amount) });
const evaluations = (payer: string) =>
  sql<{ outcome: string; rules: string[]; hits: { figures: Record<string, unknown> }[]; transaction_id: string | null }>(
    `select outcome, rules, hits, transaction_id from risk_evaluations where payer_account_id = ? order by created_at`,
    [payer],
  );

let a: Customer;
let b: Customer;
beforeEach(async () => {
  a = await createCustomer(orm, { balance: '1000000.00' });
  b = await createCustomer(orm);
});

describe('VELOCITY', () => {
  it('allows up to the count, then reviews, then (as BLOCK) refuses with RISK_BLOCKED and logs the figures; a block moves nothing', async () => {
    await only('VELOCITY', 'REVIEW', { windowSeconds: 3600, maxCount: 2, maxAmount: 100_000_000n });
    expect((await send(a, b, '10.00')).recipient).not.toBeNull();
    expect((await send(a, b, '10.00')).recipient).not.toBeNull();
    const held = await send(a, b, '10.00');
    expect(held.recipient).toBeNull();
    expect(held.sender.status).toBe('PENDING');
    await only('VELOCITY', 'BLOCK', { maxCount: 2 });
    const total = await totalMoney();
    const before = await balanceOf(orm, a.accountId);
    const err = await transfer.execute({ userId: a.userId, username: a.username, recipient: b.accountId, amount: m('10.00') }).catch((e: DomainError) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe('RISK_BLOCKED');
    // Nothing that names the rule or its threshold.
    expect((err as DomainError).message).not.toMatch(/velocity|count|window|[0-9]/i);
    expect(await balanceOf(orm, a.accountId)).toBe(before);
    expect(await totalMoney()).toBe(total);
    const logged = await evaluations(a.accountId);
    expect(logged.map((e) => e.outcome)).toEqual(['REVIEW', 'BLOCK']);
    expect(logged[1]).toMatchObject({ rules: ['VELOCITY'], transaction_id: null, hits: [{ figures: { count: 4, max_count: 2 } }] });
  });

  it('100 concurrent transfers from one account: exactly maxCount pass, the rest are held (the figures are read under the payer lock)', async () => {
    await only('VELOCITY', 'REVIEW', { windowSeconds: 3600, maxCount: 7, maxAmount: 100_000_000n });
    const results = await Promise.all(Array.from({ length: 100 }, () => send(a, b, '1.00')));
    expect(results.filter((r) => r.recipient !== null)).toHaveLength(7);
    expect(results.filter((r) => r.recipient === null)).toHaveLength(93);
    expect(await balanceOf(orm, b.accountId)).toBe('7.00');
    expect(await balanceOf(orm, a.accountId)).toBe('999900.00');
  });
});

describe('NEW_COUNTERPARTY', () => {
  it('holds a first payment of a large amount to a new merchant; once paid, the merchant is known', async () => {
    await only('NEW_COUNTERPARTY', 'REVIEW', { minAmount: 5_000_00n });
    expect((await pay.execute({ userId: a.userId, amount: m('4999.99'), merchantId: 'RISK-M' })).status).toBe('SUCCESS');
    const c = await createCustomer(orm, { balance: '100000.00' });
    const held = await pay.execute({ userId: c.userId, amount: m('5000.00'), merchantId: 'RISK-M' });
    expect(held.status).toBe('PENDING');
    expect(await balanceOf(orm, c.accountId)).toBe('95000.00');
    await only('NEW_COUNTERPARTY', 'BLOCK', { minAmount: 5_000_00n });
    expect(await refusal(send(a, b, '5000.00'))).toBe('RISK_BLOCKED');
    expect((await send(a, b, '4999.99')).recipient).not.toBeNull();
    expect((await send(a, b, '5000.00')).recipient).not.toBeNull(); // b is known now
  });
});

describe('MULE_INBOUND', () => {
  it('holds the transfer that makes one more distinct sender than allowed; a sender already counted passes', async () => {
    await only('MULE_INBOUND', 'REVIEW', { windowSeconds: 3600, maxDistinctSenders: 3 });
    const senders = await Promise.all(Array.from({ length: 5 }, () => createCustomer(orm, { balance: '1000.00' })));
    const results = await Promise.all(senders.map((s) => send(s, b, '10.00')));
    expect(results.filter((r) => r.recipient !== null)).toHaveLength(3);
    const passed = senders.find((_, i) => results[i]!.recipient !== null)!;
    expect((await send(passed, b, '10.00')).recipient).not.toBeNull();
    await only('MULE_INBOUND', 'BLOCK', { maxDistinctSenders: 3 });
    expect(await refusal(send(a, b, '10.00'))).toBe('RISK_BLOCKED');
  });
});

describe('EWALLET_OTHER_PHONE', () => {
  it("blocks a large top-up of someone else's e-wallet (a REVIEW too: top-ups cannot be held); one's own passes", async () => {
    await only('EWALLET_OTHER_PHONE', 'REVIEW', { minAmount: 100_000_00n });
    kit.gopay.control.registerWallet(a.phone, { name: 'Own' });
    kit.gopay.control.registerWallet(b.phone, { name: 'Other' });
    expect((await topUp.execute({ userId: a.userId, amount: m('200000.00'), method: 'GOPAY', phone: a.phone })).kind).toBe('success');
    expect((await topUp.execute({ userId: a.userId, amount: m('99999.99'), method: 'GOPAY', phone: b.phone })).kind).toBe('success');
    const before = await balanceOf(orm, a.accountId);
    expect(await refusal(topUp.execute({ userId: a.userId, amount: m('100000.00'), method: 'GOPAY', phone: b.phone }))).toBe('RISK_BLOCKED');
    expect(await balanceOf(orm, a.accountId)).toBe(before);
    expect((await evaluations(a.accountId)).at(-1)).toMatchObject({ outcome: 'BLOCK', rules: ['EWALLET_OTHER_PHONE'] });
  });
});

describe('review cases', () => {
  async function heldTransfer(amount = '300.00') {
    await only('VELOCITY', 'REVIEW', { maxCount: 1, windowSeconds: 3600 });
    await send(a, b, '1.00');
    const r = await send(a, b, amount);
    expect(r.recipient).toBeNull();
    const [c] = await sql<{ id: string }>(`select id from risk_cases where transaction_id = ?`, [r.sender.transactionId]);
    return { caseId: c!.id, transactionId: r.sender.transactionId };
  }

  it('holds the money in RISK_HOLD; approval credits the recipient once, under 20 concurrent decisions', async () => {
    const total = await totalMoney();
    const hold0 = await holdBalance();
    const { caseId, transactionId } = await heldTransfer();
    expect(await balanceOf(orm, a.accountId)).toBe('999699.00');
    expect(await balanceOf(orm, b.accountId)).toBe('1.00');
    expect(await holdBalance()).toBe(Money.ofMinor(Money.parse(hold0).minor + 300_00n).toString());
    const decisions = await Promise.all(
      Array.from({ length: 20 }, (_, i) => decide.execute({ caseId, decision: i % 2 ? 'REJECT' : 'APPROVE', operator: `op${i}` })),
    );
    const applied = decisions.filter((d) => d.settled.applied);
    expect(applied).toHaveLength(1);
    const outcome = applied[0]!.settled.transaction.status;
    const [row] = await sql<{ status: string }>(`select status from risk_cases where id = ?`, [caseId]);
    expect(row!.status).toBe(outcome === 'SUCCESS' ? 'APPROVED' : 'REJECTED');
    expect(await balanceOf(orm, b.accountId)).toBe(outcome === 'SUCCESS' ? '301.00' : '1.00');
    expect(await balanceOf(orm, a.accountId)).toBe(outcome === 'SUCCESS' ? '999699.00' : '999999.00');
    expect((await kit.ledger.findByTransactionId(transactionId))!.status).toBe(outcome);
    expect(await holdBalance()).toBe(hold0);
    expect(await totalMoney()).toBe(total);
  });

  it('rejection returns the money with a linked REFUND row; a later approval changes nothing', async () => {
    const { caseId, transactionId } = await heldTransfer('50.00');
    const r = await decide.execute({ caseId, decision: 'REJECT', operator: 'op', reason: 'customer did not confirm' });
    expect(r.settled).toMatchObject({ applied: true, transaction: { status: 'FAILED' }, release: { type: 'REFUND', relatedTransactionId: transactionId } });
    expect(r.settled.release!.amount.toString()).toBe('50.00');
    expect(await balanceOf(orm, a.accountId)).toBe('999999.00');
    const again = await decide.execute({ caseId, decision: 'APPROVE', operator: 'op2' });
    expect(again.settled.applied).toBe(false);
    expect(again.case.status).toBe('REJECTED');
    expect(await balanceOf(orm, b.accountId)).toBe('1.00');
  });

  it('approval checks the recipient now: a suspended recipient refuses it and the case stays PENDING until rejected', async () => {
    const { caseId } = await heldTransfer('20.00');
    await sql(`update accounts set account_status = 'SUSPENDED' where id = ?`, [b.accountId]);
    expect(await refusal(decide.execute({ caseId, decision: 'APPROVE', operator: 'op' }))).toBe('RECIPIENT_NOT_ACTIVE');
    expect((await store.findCase(caseId))!.status).toBe('PENDING');
    expect((await decide.execute({ caseId, decision: 'REJECT', operator: 'op' })).settled.applied).toBe(true);
    expect(await balanceOf(orm, a.accountId)).toBe('999999.00');
  });

  it('an approved held payment pays the merchant and the fee; the journal balances', async () => {
    await only('NEW_COUNTERPARTY', 'REVIEW', { minAmount: 1n });
    const c = await createCustomer(orm, { balance: '1000.00' });
    const merchant0 = (await kit.merchants.findByCode('RISK-M'))!.balance;
    const held = await pay.execute({ userId: c.userId, amount: m('100.00'), merchantId: 'RISK-M' });
    const [row] = await sql<{ id: string }>(`select id from risk_cases where transaction_id = ?`, [held.transactionId]);
    expect((await decide.execute({ caseId: row!.id, decision: 'APPROVE', operator: 'op' })).settled.applied).toBe(true);
    const merchant1 = (await kit.merchants.findByCode('RISK-M'))!.balance;
    expect(merchant1.minor > merchant0.minor).toBe(true);
    expect(await sql(`select movement_id from ledger_entries group by movement_id having sum(amount) <> 0`)).toEqual([]);
    expect(
      await sql(`select a.id from accounts a where a.balance <> coalesce((select sum(amount) from ledger_entries e where e.account_id = a.id), 0)`),
    ).toEqual([]);
  });
});
