import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrm, type Orm } from '../../src/adapters/persistence/orm.ts';
import { Money } from '../../src/domain/shared/money.ts';
import { DomainError } from '../../src/domain/shared/domain-error.ts';
import { InMemoryDisbursementProvider } from '../../src/adapters/memory/in-memory-disbursement-provider.ts';
import { PostgresPayoutRepository } from '../../src/adapters/persistence/merchant/postgres-payout.repository.ts';
import { PostgresMerchantRepository } from '../../src/adapters/persistence/merchant/postgres-merchant.repository.ts';
import { PayoutMerchantHandler } from '../../src/application/merchant/payout-merchant.handler.ts';
import { CheckPayoutHandler } from '../../src/application/merchant/check-payout.handler.ts';
import { MerchantStatementQuery } from '../../src/application/merchant/merchant-statement.query.ts';
import { requireEnv } from '../support/services.ts';
import { createCustomer, createMerchant, paymentKit } from '../support/payment-fixtures.ts';

let orm: Orm;
let kit: ReturnType<typeof paymentKit>;
let bank: InMemoryDisbursementProvider;
let repo: PostgresPayoutRepository;
let payouts: PayoutMerchantHandler;
let check: CheckPayoutHandler;
beforeAll(async () => {
  orm = await createOrm({ url: requireEnv('TEST_DATABASE_URL'), poolMax: 12 });
  kit = paymentKit(orm);
  bank = new InMemoryDisbursementProvider();
  repo = new PostgresPayoutRepository(orm, kit.ledger);
  payouts = new PayoutMerchantHandler({ merchants: new PostgresMerchantRepository(orm), payouts: repo, provider: bank });
  check = new CheckPayoutHandler({ payouts: repo, provider: bank });
});
afterAll(() => orm.close(true));

const m = (s: string) => Money.parse(s);
const sql = async <T>(q: string, p: unknown[] = []) => (await orm.em.getConnection().execute(q, p)) as T[];
const balance = async (code: string) => (await kit.merchants.findByCode(code))!.balance.toString();

/** A merchant owed `net` (a DONATION merchant pays no fee, so net = what the customer paid). */
async function owed(net: string) {
  const merchant = await createMerchant(orm, { category: 'DONATION' });
  const c = await createCustomer(orm, { balance: net });
  await kit.pay.execute({ userId: c.userId, amount: m(net), merchantId: merchant.code });
  return merchant;
}

describe('merchant payouts', () => {
  it('pays the whole balance out; a replay of the reference is the same payout, one transfer, one movement; the statement shows it', async () => {
    const merchant = await owed('75000.00');
    const settlementBefore = await kit.ledger.systemBalance('PAYOUT_SETTLEMENT');
    const p = await payouts.execute({ merchantCode: merchant.code, reference: `PO-${merchant.code.toUpperCase()}` });
    expect(p).toMatchObject({ status: 'SUCCESS', merchantCode: merchant.code, bankAccount: { bankCode: 'BCA', accountNumber: '1234567890' } });
    expect(p.amount.toString()).toBe('75000.00');
    expect(await balance(merchant.code)).toBe('0.00');
    expect((await kit.ledger.systemBalance('PAYOUT_SETTLEMENT')).minor - settlementBefore.minor).toBe(7500000n);
    const transfers = bank.control.transferCount();
    const again = await payouts.execute({ merchantCode: merchant.code, reference: p.reference });
    expect(again.status).toBe('SUCCESS');
    expect(bank.control.transferCount()).toBe(transfers);
    expect(await sql(`select distinct movement_id from ledger_entries where transaction_id = ?`, [p.reference])).toHaveLength(1);
    const today = new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);
    const { statement } = await new MerchantStatementQuery(kit.merchants).execute(merchant.code, today, today);
    expect(statement.lines.map((l) => [l.kind, l.net])).toEqual([
      ['PAYMENT', 7500000n],
      ['PAYOUT', -7500000n],
    ]);
    expect(statement.totals.payouts).toBe(7500000n);
    expect(statement.closing.toString()).toBe('0.00');
  });

  it('a bank FAILED returns the money exactly once, however many times it is applied', async () => {
    const merchant = await owed('5000.00');
    bank.control.behave('transfer', { kind: 'fail', reason: 'ACCOUNT_CLOSED' });
    const p = await payouts.execute({ merchantCode: merchant.code, amount: m('3000.00') });
    expect(p).toMatchObject({ status: 'FAILED', failureReason: 'ACCOUNT_CLOSED' });
    expect(await balance(merchant.code)).toBe('5000.00');
    const again = await Promise.all(Array.from({ length: 5 }, () => repo.markFailed(p.reference, 'again', null)));
    expect(again.filter((r) => r.applied)).toHaveLength(0);
    expect(await balance(merchant.code)).toBe('5000.00');
    expect(await sql(`select 1 from ledger_entries where transaction_id = ?`, [`${p.reference}:RETURN`])).toHaveLength(2);
  });

  it('concurrent failure settlements of one PENDING payout return the money once', async () => {
    const merchant = await owed('4000.00');
    bank.control.behave('transfer', { kind: 'pending' });
    const p = await payouts.execute({ merchantCode: merchant.code });
    expect(p.status).toBe('PENDING');
    expect(await balance(merchant.code)).toBe('0.00');
    const results = await Promise.all(Array.from({ length: 6 }, () => repo.markFailed(p.reference, 'BANK_REJECTED', null)));
    expect(results.filter((r) => r.applied)).toHaveLength(1);
    expect(await balance(merchant.code)).toBe('4000.00');
  });

  it('a timeout is never a failure: the payout stays PENDING with the money out, and payout-check settles it', async () => {
    const merchant = await owed('2000.00');
    bank.control.behave('transfer', { kind: 'timeout' });
    const p = await payouts.execute({ merchantCode: merchant.code });
    expect(p.status).toBe('PENDING');
    expect(await balance(merchant.code)).toBe('0.00');
    expect((await check.execute(p.reference)).status).toBe('SUCCESS');
    expect(await balance(merchant.code)).toBe('0.00');
  });

  it('a 5xx leaves it PENDING; a check that finds no transfer sends the same reference again', async () => {
    const merchant = await owed('1000.00');
    bank.control.behave('transfer', { kind: 'error' });
    const p = await payouts.execute({ merchantCode: merchant.code });
    expect(p.status).toBe('PENDING');
    expect(bank.control.transfer(p.reference)).toBeNull();
    bank.control.behave('status', { kind: 'timeout' });
    expect((await check.execute(p.reference)).status).toBe('PENDING');
    expect((await check.execute(p.reference)).status).toBe('SUCCESS');
    expect(bank.control.transfer(p.reference)!.amount.toString()).toBe('1000.00');
  });

  it('a pending transfer the bank later fails comes back on payout-check, once', async () => {
    const merchant = await owed('900.00');
    bank.control.behave('transfer', { kind: 'pending' });
    const p = await payouts.execute({ merchantCode: merchant.code });
    bank.control.settle(p.reference, 'FAILED', 'BANK_REJECTED');
    expect(await check.execute(p.reference)).toMatchObject({ status: 'FAILED', failureReason: 'BANK_REJECTED' });
    expect((await check.execute(p.reference)).status).toBe('FAILED');
    expect(await balance(merchant.code)).toBe('900.00');
  });

  it('refuses more than the balance (nothing written), an empty balance, a merchant without a bank account, a reused reference', async () => {
    const merchant = await owed('100.00');
    const code = (p: Promise<unknown>) =>
      p.then(
        () => 'none',
        (e: unknown) => (e instanceof DomainError ? e.code : String(e)),
      );
    expect(await code(payouts.execute({ merchantCode: merchant.code, amount: m('100.01'), reference: 'PO-TOO-MUCH-1' }))).toBe('MERCHANT_INSUFFICIENT_FUNDS');
    expect(await repo.find('PO-TOO-MUCH-1')).toBeNull();
    expect(await balance(merchant.code)).toBe('100.00');
    const empty = await createMerchant(orm);
    expect(await code(payouts.execute({ merchantCode: empty.code }))).toBe('NOTHING_TO_PAY_OUT');
    await orm.em
      .getConnection()
      .execute(`update merchants set bank_code = null, bank_account_number = null, bank_account_holder = null where id = ?`, [empty.id]);
    expect(await code(payouts.execute({ merchantCode: empty.code }))).toBe('MERCHANT_NO_BANK_ACCOUNT');
    const p = await payouts.execute({ merchantCode: merchant.code, amount: m('10.00') });
    expect(await code(payouts.execute({ merchantCode: merchant.code, amount: m('20.00'), reference: p.reference }))).toBe('PAYOUT_REFERENCE_REUSED');
    expect(await code(payouts.execute({ merchantCode: merchant.code, reference: 'not-a-ref' }))).toBe('INVALID_PAYOUT_REFERENCE');
  });

  it('leaves the payout reserve in the account, so a refund after the payout is still covered', async () => {
    const merchant = await createMerchant(orm, { category: 'DONATION' });
    const c = await createCustomer(orm, { balance: '10000.00' });
    const paid = await kit.pay.execute({ userId: c.userId, amount: m('10000.00'), merchantId: merchant.code });
    await new PostgresMerchantRepository(orm).setPayoutReserve(merchant.code, m('3000.00'));
    const code = (p: Promise<unknown>) =>
      p.then(
        () => 'none',
        (e: unknown) => (e instanceof DomainError ? e.code : String(e)),
      );
    expect(await code(payouts.execute({ merchantCode: merchant.code, amount: m('7000.01') }))).toBe('MERCHANT_INSUFFICIENT_FUNDS');
    const p = await payouts.execute({ merchantCode: merchant.code });
    expect(p.amount.toString()).toBe('7000.00');
    expect(await balance(merchant.code)).toBe('3000.00');
    expect(await code(payouts.execute({ merchantCode: merchant.code }))).toBe('NOTHING_TO_PAY_OUT');
    expect((await kit.refund.execute({ transactionId: paid.transactionId, amount: m('3000.00'), operator: 'test' })).amount.toString()).toBe('3000.00');
    expect(await code(kit.refund.execute({ transactionId: paid.transactionId, amount: m('0.01'), operator: 'test' }))).toBe('MERCHANT_INSUFFICIENT_FUNDS');
  });
});
