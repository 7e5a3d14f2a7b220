import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrm, type Orm } from '../../src/adapters/persistence/orm.ts';
import { Money } from '../../src/domain/shared/money.ts';
import { InMemoryDisbursementProvider } from '../../src/adapters/memory/in-memory-disbursement-provider.ts';
import { PostgresPayoutRepository } from '../../src/adapters/persistence/merchant/postgres-payout.repository.ts';
import { PayoutMerchantHandler } from '../../src/application/merchant/payout-merchant.handler.ts';
import { payoutBoundary } from '../support/bank-workload.ts';
import { createIsolatedDatabase } from '../support/isolated-database.ts';
import { createCustomer, createMerchant, paymentKit } from '../support/payment-fixtures.ts';

// The bank invariant's payout check (tests/support/bank-workload.ts) must see a disagreement
// across the boundary, not only pass on a sound run. A database of its own: it reads every payout.
let db: Awaited<ReturnType<typeof createIsolatedDatabase>>;
let orm: Orm;
let kit: ReturnType<typeof paymentKit>;
let bank: InMemoryDisbursementProvider;
let payouts: PayoutMerchantHandler;
let repo: PostgresPayoutRepository;
beforeAll(async () => {
  db = await createIsolatedDatabase('onegate_payout_boundary');
  orm = await createOrm({ url: db.url, poolMax: 4 });
  kit = paymentKit(orm);
  bank = new InMemoryDisbursementProvider();
  repo = new PostgresPayoutRepository(orm, kit.ledger);
  payouts = new PayoutMerchantHandler({ merchants: kit.merchants, payouts: repo, provider: bank });
});
afterAll(async () => {
  await orm?.close(true);
  await db?.drop();
});

async function owed(net: string) {
  const merchant = await createMerchant(orm, { category: 'DONATION' });
  const c = await createCustomer(orm, { balance: net });
  await kit.pay.execute({ userId: c.userId, amount: Money.parse(net), merchantId: merchant.code });
  return merchant;
}

describe('the bank invariant across the payout boundary', () => {
  it('passes when every payout agrees with the bank (a success, a failure returned, one the bank never received)', async () => {
    const a = await owed('5000.00');
    expect((await payouts.execute({ merchantCode: a.code, amount: Money.parse('3000.00') })).status).toBe('SUCCESS');
    bank.control.behave('transfer', { kind: 'fail' });
    expect((await payouts.execute({ merchantCode: a.code, amount: Money.parse('1000.00') })).status).toBe('FAILED');
    bank.control.behave('transfer', { kind: 'error' });
    const lost = await payouts.execute({ merchantCode: a.code, amount: Money.parse('500.00') });
    await repo.markFailed(lost.reference, 'NOT_SENT', null); // an operator's decision: the bank never had it
    expect(await payoutBoundary(orm, bank.control)).toEqual([]);
  });

  it('sees a payout we failed (money returned) that the bank paid, and a transfer we have no payout for', async () => {
    const b = await owed('2000.00');
    bank.control.behave('transfer', { kind: 'pending' });
    const p = await payouts.execute({ merchantCode: b.code });
    await repo.markFailed(p.reference, 'GAVE_UP', null);
    bank.control.settle(p.reference, 'SUCCESS');
    bank.control.applyTransfer({ reference: 'PO-NOT-OURS', amount: Money.parse('10.00'), accountNumber: '1' }, null);
    expect(await payoutBoundary(orm, bank.control)).toEqual([
      `payout ${p.reference}: ours FAILED, bank SUCCESS`,
      `payout ${p.reference}: 0.00 left the merchant's account, the bank credited 2000.00`,
      'the bank holds transfer PO-NOT-OURS (SUCCESS 10.00) we have no payout for',
      `merchant ${b.code}: its statement pays out 0 sen, the bank credited 2000.00`,
    ]);
  });
});
