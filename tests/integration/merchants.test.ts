import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrm, type Orm } from '../../src/adapters/persistence/orm.ts';
import { Money } from '../../src/domain/shared/money.ts';
import { DomainError } from '../../src/domain/shared/domain-error.ts';
import { CreateMerchantHandler } from '../../src/application/merchant/create-merchant.handler.ts';
import { ChangeMerchantStatusHandler } from '../../src/application/merchant/change-merchant-status.handler.ts';
import { MerchantStatementQuery } from '../../src/application/merchant/merchant-statement.query.ts';
import { statementCsv, statementJson } from '../../src/domain/merchant/statement.ts';
import { PostgresTransactionReadRepository } from '../../src/adapters/persistence/transaction/postgres-transaction-read.repository.ts';
import { csvLine } from '../../src/adapters/http/transaction/transaction.dto.ts';
import { requireEnv } from '../support/services.ts';
import { balanceOf, createCustomer, createMerchant, paymentKit } from '../support/payment-fixtures.ts';

let orm: Orm;
let kit: ReturnType<typeof paymentKit>;
beforeAll(async () => {
  orm = await createOrm({ url: requireEnv('TEST_DATABASE_URL'), poolMax: 12 });
  kit = paymentKit(orm);
});
afterAll(() => orm.close(true));

const m = (s: string) => Money.parse(s);
const sql = async <T>(q: string, p: unknown[] = []) => (await orm.em.getConnection().execute(q, p)) as T[];
const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'none',
    (e: unknown) => (e instanceof DomainError ? e.code : String(e)),
  );
const journalOf = (transactionId: string) =>
  sql<{ code: string | null; merchant: string | null; amount: string }>(
    `select a.system_code as code, mm.code as merchant, e.amount::text as amount from ledger_entries e join accounts a on a.id = e.account_id left join merchants mm on mm.id = a.merchant_id where e.transaction_id = ? order by e.id`,
    [transactionId],
  );

describe('merchants and their accounts', () => {
  it('a merchant owns exactly one account; codes are unique; an account has exactly one owner', async () => {
    const merchant = await createMerchant(orm);
    const [acc] = await sql<{ user_id: number | null; system_code: string | null; balance: string; account_status: string }>(
      `select user_id, system_code, balance::text as balance, account_status from accounts where merchant_id = ?`,
      [merchant.id],
    );
    expect(acc).toEqual({ user_id: null, system_code: null, balance: '0.00', account_status: 'ACTIVE' });
    expect(await codeOf(new CreateMerchantHandler(kit.merchants).execute({ code: merchant.code, name: 'again', category: 'REGULAR' }))).toBe(
      'MERCHANT_CODE_TAKEN',
    );
    await expect(sql(`insert into accounts (system_code, merchant_id) values ('X-SYS', ?)`, [merchant.id])).rejects.toThrow(/accounts_owner_check|unique/);
  });

  it('suspends, reactivates and closes only an empty merchant; the account follows the status', async () => {
    const changeStatus = new ChangeMerchantStatusHandler(kit.merchants);
    const merchant = await createMerchant(orm);
    const c = await createCustomer(orm, { balance: '1000.00' });
    await kit.pay.execute({ userId: c.userId, amount: m('100.00'), merchantId: merchant.code });
    expect((await changeStatus.execute(merchant.code, 'SUSPENDED')).after.status).toBe('SUSPENDED');
    expect((await sql<{ s: string }>(`select account_status as s from accounts where merchant_id = ?`, [merchant.id]))[0]!.s).toBe('SUSPENDED');
    expect(await codeOf(changeStatus.execute(merchant.code, 'SUSPENDED'))).toBe('MERCHANT_STATUS_CHANGE_NOT_ALLOWED');
    expect(await codeOf(changeStatus.execute(merchant.code, 'CLOSED'))).toBe('MERCHANT_BALANCE_NOT_ZERO');
    expect((await changeStatus.execute(merchant.code, 'ACTIVE')).after.status).toBe('ACTIVE');
    expect(await codeOf(changeStatus.execute('NO-SUCH-MERCHANT', 'SUSPENDED'))).toBe('MERCHANT_NOT_FOUND');
    const empty = await createMerchant(orm);
    expect((await changeStatus.execute(empty.code, 'CLOSED')).after.status).toBe('CLOSED');
    expect(await codeOf(changeStatus.execute(empty.code, 'ACTIVE'))).toBe('MERCHANT_STATUS_CHANGE_NOT_ALLOWED');
  });
});

describe('payments to merchants', () => {
  it('is one movement of three legs: payer −gross, merchant +net, FEE_REVENUE +fee', async () => {
    const merchant = await createMerchant(orm, { category: 'REGULAR' });
    const c = await createCustomer(orm, { balance: '200000.00' });
    const t = await kit.pay.execute({ userId: c.userId, amount: m('100000.00'), merchantId: merchant.code });
    expect(t.metadata).toMatchObject({
      merchant_id: merchant.code,
      merchant_name: merchant.name,
      gross: '100000.00',
      fee: '700.00',
      net: '99300.00',
      fee_bps: 70,
    });
    expect(await balanceOf(orm, c.accountId)).toBe('100000.00');
    expect((await kit.merchants.findByCode(merchant.code))!.balance.toString()).toBe('99300.00');
    const legs = await journalOf(t.transactionId);
    expect(legs.map((l) => l.amount).sort()).toEqual(['-100000.00', '700.00', '99300.00']);
    expect(legs.find((l) => l.code === 'FEE_REVENUE')!.amount).toBe('700.00');
    expect(legs.find((l) => l.merchant === merchant.code)!.amount).toBe('99300.00');
    const [movements] = await sql<{ n: number }>(`select count(distinct movement_id)::int as n from ledger_entries where transaction_id = ?`, [
      t.transactionId,
    ]);
    expect(movements!.n).toBe(1);
  });

  it('uses the override, the MICRO threshold, and leaves out a zero fee leg', async () => {
    const micro = await createMerchant(orm, { category: 'MICRO' });
    const custom = await createMerchant(orm, { category: 'REGULAR', feeBps: 150 });
    const c = await createCustomer(orm, { balance: '2000000.00' });
    const small = await kit.pay.execute({ userId: c.userId, amount: m('500000.00'), merchantId: micro.code });
    expect(small.metadata).toMatchObject({ fee: '0.00', net: '500000.00', fee_bps: 0 });
    expect(await journalOf(small.transactionId)).toHaveLength(2);
    const big = await kit.pay.execute({ userId: c.userId, amount: m('600000.00'), merchantId: micro.code });
    expect(big.metadata).toMatchObject({ fee: '1800.00', net: '598200.00', fee_bps: 30 });
    const over = await kit.pay.execute({ userId: c.userId, amount: m('1000.00'), merchantId: custom.code });
    expect(over.metadata).toMatchObject({ fee: '15.00', fee_bps: 150 });
  });

  it('refuses an unknown merchant (MERCHANT_NOT_FOUND) and a suspended or closed one (MERCHANT_NOT_ACTIVE), writing nothing', async () => {
    const c = await createCustomer(orm, { balance: '1000.00' });
    const suspended = await createMerchant(orm, { status: 'SUSPENDED' });
    const closed = await createMerchant(orm, { status: 'CLOSED' });
    expect(await codeOf(kit.pay.execute({ userId: c.userId, amount: m('10.00'), merchantId: 'NOBODY-HERE' }))).toBe('MERCHANT_NOT_FOUND');
    expect(await codeOf(kit.pay.execute({ userId: c.userId, amount: m('10.00'), merchantId: suspended.code }))).toBe('MERCHANT_NOT_ACTIVE');
    expect(await codeOf(kit.pay.execute({ userId: c.userId, amount: m('10.00'), merchantId: closed.code }))).toBe('MERCHANT_NOT_ACTIVE');
    expect(await balanceOf(orm, c.accountId)).toBe('1000.00');
    expect(await sql(`select 1 from historical_transactions where account_id = ? and transaction_type = 'PAYMENT'`, [c.accountId])).toHaveLength(0);
  });

  it('a merchant suspended between the check and the movement is refused under the lock (the account carries the status)', async () => {
    const merchant = await createMerchant(orm);
    const c = await createCustomer(orm, { balance: '1000.00' });
    await sql(`update accounts set account_status = 'SUSPENDED' where merchant_id = ?`, [merchant.id]); // the merchants row still says ACTIVE
    expect(await codeOf(kit.pay.execute({ userId: c.userId, amount: m('10.00'), merchantId: merchant.code }))).toBe('MERCHANT_NOT_ACTIVE');
    expect(await balanceOf(orm, c.accountId)).toBe('1000.00');
  });
});

describe('refunds come from the merchant', () => {
  it('debits the merchant the net part and FEE_REVENUE the proportional fee; a full refund gives all of it back', async () => {
    const merchant = await createMerchant(orm, { category: 'REGULAR' });
    const c = await createCustomer(orm, { balance: '100000.00' });
    const p = await kit.pay.execute({ userId: c.userId, amount: m('100000.00'), merchantId: merchant.code });
    const half = await kit.refund.execute({ transactionId: p.transactionId, amount: m('50000.00'), operator: 'test' });
    expect(half.metadata).toMatchObject({ merchant_id: merchant.code, fee_reversed: '350.00', from_merchant: '49650.00' });
    expect((await kit.merchants.findByCode(merchant.code))!.balance.toString()).toBe('49650.00');
    const rest = await kit.refund.execute({ transactionId: p.transactionId, operator: 'test' });
    expect(rest.amount.toString()).toBe('50000.00');
    expect((await kit.merchants.findByCode(merchant.code))!.balance.toString()).toBe('0.00');
    expect(await balanceOf(orm, c.accountId)).toBe('100000.00');
    const legs = await journalOf(rest.transactionId);
    expect(legs.reduce((s, l) => s + Money.parse(l.amount.replace('-', '')).minor * (l.amount.startsWith('-') ? -1n : 1n), 0n)).toBe(0n);
  });

  it('refuses when the merchant no longer holds the money (422 MERCHANT_INSUFFICIENT_FUNDS), changing nothing', async () => {
    const merchant = await createMerchant(orm, { category: 'DONATION' });
    const c = await createCustomer(orm, { balance: '1000.00' });
    const p = await kit.pay.execute({ userId: c.userId, amount: m('1000.00'), merchantId: merchant.code });
    // The merchant's money leaves (as a payout would): move it back to FUNDING directly.
    await sql(`update accounts set balance = balance - 900 where merchant_id = ?`, [merchant.id]);
    await sql(`update accounts set balance = balance + 900 where system_code = 'FUNDING'`);
    const err = await kit.refund.execute({ transactionId: p.transactionId, operator: 'test' }).catch((e: unknown) => e as DomainError);
    expect(err).toMatchObject({ code: 'MERCHANT_INSUFFICIENT_FUNDS', kind: 'business_rule' });
    expect(await balanceOf(orm, c.accountId)).toBe('0.00');
    expect(await sql(`select 1 from historical_transactions where related_transaction_id = ?`, [p.transactionId])).toHaveLength(0);
    // What it still holds can be refunded.
    expect((await kit.refund.execute({ transactionId: p.transactionId, amount: m('100.00'), operator: 'test' })).amount.toString()).toBe('100.00');
  });
});

describe('statements', () => {
  it("list opening, every payment (gross/fee/net) and refund, and a closing equal to the merchant's balance", async () => {
    const merchant = await createMerchant(orm, { category: 'REGULAR' });
    const c = await createCustomer(orm, { balance: '300000.00' });
    const p1 = await kit.pay.execute({ userId: c.userId, amount: m('100000.00'), merchantId: merchant.code });
    await kit.pay.execute({ userId: c.userId, amount: m('50000.00'), merchantId: merchant.code });
    const r = await kit.refund.execute({ transactionId: p1.transactionId, amount: m('10000.00'), operator: 'test' });
    const today = new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);
    const { statement } = await new MerchantStatementQuery(kit.merchants).execute(merchant.code, today, today);
    const json = statementJson({ code: merchant.code, name: merchant.name }, { from: today, to: today }, statement);
    expect(json).toMatchObject({
      opening_balance: '0.00',
      closing_balance: '139020.00',
      totals: { payments: 2, gross: '150000.00', fees: '980.00', refunds: 1, refunded: '10000.00', net: '139020.00' },
    });
    expect((json.lines as Record<string, unknown>[]).map((l) => [l.kind, l.gross, l.fee, l.net])).toEqual([
      ['PAYMENT', '100000.00', '700.00', '99300.00'],
      ['PAYMENT', '50000.00', '350.00', '49650.00'],
      ['REFUND', '-10000.00', '-70.00', '-9930.00'],
    ]);
    expect((json.lines as Record<string, unknown>[])[2]!.transaction_id).toBe(r.transactionId);
    expect((await kit.merchants.findByCode(merchant.code))!.balance.toString()).toBe(json.closing_balance);
    const csv = statementCsv(statement).split('\r\n');
    expect(csv[0]).toBe('at,kind,transaction_id,gross,fee,net,balance_after');
    expect(csv[1]).toBe(',OPENING,,,,,0.00');
    expect(csv.at(-2)).toBe(',CLOSING,,,,,139020.00');
    // A later window opens with the closing balance and has no lines.
    const { statement: later } = await new MerchantStatementQuery(kit.merchants).execute(merchant.code, '2099-01-01', '2099-01-31');
    expect([later.opening.toString(), later.lines.length, later.closing.toString()]).toEqual(['139020.00', 0, '139020.00']);
    expect(await codeOf(new MerchantStatementQuery(kit.merchants).execute(merchant.code, '2026-02-30', '2026-03-01'))).toBe('INVALID_DATE');
  });

  it('regulators see the merchant (code and name) on PAYMENT and REFUND rows, not on others', async () => {
    const merchant = await createMerchant(orm, { name: 'Apotek Sehat' });
    const c = await createCustomer(orm, { balance: '1000.00' });
    const p = await kit.pay.execute({ userId: c.userId, amount: m('100.00'), merchantId: merchant.code });
    const r = await kit.refund.execute({ transactionId: p.transactionId, operator: 'test' });
    const read = new PostgresTransactionReadRepository(orm);
    for (const id of [p.transactionId, r.transactionId])
      expect((await read.findOne({ kind: 'external' }, id))!.merchant).toEqual({ code: merchant.code, name: 'Apotek Sehat' });
    const [credit] = await sql<{ transaction_id: string }>(
      `select transaction_id from historical_transactions where account_id = ? and transaction_type = 'TRANSFER'`,
      [c.accountId],
    );
    expect((await read.findOne({ kind: 'external' }, credit!.transaction_id))!.merchant).toBeNull();
    const csv = csvLine((await read.findOne({ kind: 'external' }, p.transactionId))!);
    expect(csv.trimEnd().endsWith(`,${merchant.code},Apotek Sehat`)).toBe(true);
  });
});
