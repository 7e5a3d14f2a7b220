import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrm, type Orm } from '../../src/adapters/persistence/orm.ts';
import { PostgresPayoutRepository } from '../../src/adapters/persistence/merchant/postgres-payout.repository.ts';
import { PostgresTransactionReadRepository } from '../../src/adapters/persistence/transaction/postgres-transaction-read.repository.ts';
import { InMemoryDisbursementProvider } from '../../src/adapters/memory/in-memory-disbursement-provider.ts';
import { FreezeAccountHandler } from '../../src/application/payment/freeze-account/freeze-account.handler.ts';
import { FreezeMerchantHandler } from '../../src/application/merchant/freeze-merchant.handler.ts';
import { UnfreezeMerchantHandler } from '../../src/application/merchant/unfreeze-merchant.handler.ts';
import { UnfreezeAccountHandler } from '../../src/application/payment/unfreeze-account/unfreeze-account.handler.ts';
import { PayoutMerchantHandler } from '../../src/application/merchant/payout-merchant.handler.ts';
import { transactionQueries } from '../../src/application/transaction/transaction-queries.ts';
import { DEFAULT_KYC_LIMITS } from '../../src/domain/ledger/limits.ts';
import { Money } from '../../src/domain/shared/money.ts';
import { DomainError } from '../../src/domain/shared/domain-error.ts';
import type { FreezeLevel } from '../../src/domain/wallet/freeze.ts';
import { createIsolatedDatabase } from '../support/isolated-database.ts';
import { balanceOf, createCustomer, createMerchant, paymentKit, type Customer } from '../support/payment-fixtures.ts';

// Freezes on the real ledger: each level refuses exactly what it covers (403 ACCOUNT_FROZEN, the
// level in the error's facts), nothing moves on a refusal, money owed back still arrives, and each
// refusal is recorded outside the rolled-back movement and counted in the regulator report.
// A database of its own: the report's counts cover every refusal in the database.
let db: Awaited<ReturnType<typeof createIsolatedDatabase>>;
let orm: Orm;
let kit: ReturnType<typeof paymentKit>;
let freezes: FreezeAccountHandler;
let unfreezes: UnfreezeAccountHandler;
let merchantFreezes: FreezeMerchantHandler;
let merchantUnfreezes: UnfreezeMerchantHandler;
beforeAll(async () => {
  db = await createIsolatedDatabase('onegate_freezes');
  orm = await createOrm({ url: db.url, poolMax: 6 });
  kit = paymentKit(orm, { limits: DEFAULT_KYC_LIMITS, refusals: true });
  freezes = new FreezeAccountHandler(kit.accounts);
  unfreezes = new UnfreezeAccountHandler(kit.accounts);
  merchantFreezes = new FreezeMerchantHandler(kit.merchants);
  merchantUnfreezes = new UnfreezeMerchantHandler(kit.merchants);
});
afterAll(async () => {
  await orm.close(true);
  await db.drop();
});

const m = (s: string) => Money.parse(s);
const sql = async <T>(q: string, p: unknown[] = []) => (await orm.em.getConnection().execute(q, p)) as T[];

async function outcome(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => 'ok',
    (err: unknown) => {
      if (!(err instanceof DomainError)) throw err;
      return err.code === 'ACCOUNT_FROZEN'
        ? `FROZEN:${String(err.details?.facts?.level)}:${String(err.details?.facts?.side)}:${String(err.details?.facts?.owner)}`
        : err.code;
    },
  );
}

async function customer(balance = '500000.00'): Promise<Customer> {
  const c = await createCustomer(orm, { balance });
  kit.gopay.control.registerWallet(c.phone, { name: 'Test Wallet' });
  return c;
}

const refusalsOf = (accountId: string) =>
  sql<{ rule: string; code: string; amount: string }>(`select rule, code, amount::text as amount from movement_refusals where account_id = ? order by id`, [
    accountId,
  ]);

/** Every kind of movement touching `c`, with `other` as the counterparty and `merchant` as the shop. */
async function movementsOf(c: Customer, other: Customer, merchantCode: string) {
  // A payment made before the freeze, to refund afterwards (a refund is money owed back).
  const paid = await kit.pay.execute({ userId: c.userId, amount: m('20000.00'), merchantId: merchantCode });
  // A pending top-up made before the freeze, released afterwards (the provider declines it).
  kit.gopay.control.behave('topup', { kind: 'pending' }, 1);
  const pending = await kit.topUp.execute({ userId: c.userId, amount: m('15000.00'), method: 'GOPAY', phone: c.phone });
  expect(pending.kind).toBe('pending');
  return { paid, pendingTopUp: pending.transaction.transactionId };
}

describe('account freezes on the real ledger', () => {
  const cases: [FreezeLevel, Record<string, string>][] = [
    [
      'DEBIT',
      {
        transferOut: 'FROZEN:DEBIT:payer:customer',
        payment: 'FROZEN:DEBIT:payer:customer',
        topUp: 'FROZEN:DEBIT:payer:customer',
        transferIn: 'ok',
        credit: 'ok',
        refund: 'ok',
        release: 'ok',
      },
    ],
    [
      'CREDIT',
      {
        transferOut: 'ok',
        payment: 'ok',
        topUp: 'ok',
        transferIn: 'FROZEN:CREDIT:payee:customer',
        credit: 'FROZEN:CREDIT:payee:customer',
        refund: 'ok',
        release: 'ok',
      },
    ],
    [
      'ALL',
      {
        transferOut: 'FROZEN:ALL:payer:customer',
        payment: 'FROZEN:ALL:payer:customer',
        topUp: 'FROZEN:ALL:payer:customer',
        transferIn: 'FROZEN:ALL:payee:customer',
        credit: 'FROZEN:ALL:payee:customer',
        refund: 'ok',
        release: 'ok',
      },
    ],
  ];

  it.each(cases)('a %s freeze refuses exactly what it covers, and nothing moves on a refusal', async (level, expected) => {
    const c = await customer();
    const other = await customer();
    const shop = await createMerchant(orm);
    const before = await movementsOf(c, other, shop.code);
    await freezes.execute({ accountId: c.accountId, level, reason: 'AML alert 42', operator: 'test' });

    const got: Record<string, string> = {};
    const step = async (name: string, run: () => Promise<unknown>) => {
      const balance = await balanceOf(orm, c.accountId);
      got[name] = await outcome(run());
      if (got[name] !== 'ok') expect(await balanceOf(orm, c.accountId)).toBe(balance); // refused: nothing moved
    };
    await step('transferOut', () => kit.transfer.execute({ userId: c.userId, username: c.username, recipient: other.username, amount: m('1000.00') }));
    await step('payment', () => kit.pay.execute({ userId: c.userId, amount: m('1000.00'), merchantId: shop.code }));
    await step('topUp', () => kit.topUp.execute({ userId: c.userId, amount: m('10000.00'), method: 'GOPAY', phone: c.phone }));
    await step('transferIn', () => kit.transfer.execute({ userId: other.userId, username: other.username, recipient: c.username, amount: m('1000.00') }));
    await step('credit', () => kit.credit.execute({ accountId: c.accountId, amount: m('1000.00'), operator: 'test' }));
    await step('refund', () => kit.refund.execute({ transactionId: before.paid.transactionId, amount: m('5000.00'), operator: 'test' }));
    await step('release', () => kit.ledger.settleTopUp(before.pendingTopUp, 'FAILED', { reason: 'declined' }));
    expect(got).toEqual(expected);

    // Each refusal was recorded, though its movement rolled back; the accepted movements were not.
    const refused = Object.values(expected).filter((v) => v !== 'ok').length;
    const recorded = await refusalsOf(c.accountId);
    expect(recorded).toHaveLength(refused);
    expect(new Set(recorded.map((r) => `${r.rule} ${r.code}`))).toEqual(new Set([`freeze.${level} ACCOUNT_FROZEN`]));

    // Unfrozen, everything passes again.
    await unfreezes.execute(c.accountId);
    expect(await outcome(kit.transfer.execute({ userId: c.userId, username: c.username, recipient: other.username, amount: m('1000.00') }))).toBe('ok');
    expect(await outcome(kit.transfer.execute({ userId: other.userId, username: other.username, recipient: c.username, amount: m('1000.00') }))).toBe('ok');
  });

  it('a freeze is distinct from the status: a frozen account suspended and reactivated is still frozen; a CLOSED one is not frozen', async () => {
    const c = await customer('0.00');
    await freezes.execute({ accountId: c.accountId, level: 'CREDIT', reason: 'court order', operator: 'test' });
    await kit.changeStatus.execute(c.accountId, 'SUSPENDED');
    await kit.changeStatus.execute(c.accountId, 'ACTIVE');
    expect((await kit.accounts.findById(c.accountId))!.freeze).toMatchObject({ level: 'CREDIT', reason: 'court order', frozenBy: 'test' });
    expect(await outcome(kit.credit.execute({ accountId: c.accountId, amount: m('1000.00'), operator: 'test' }))).toBe('FROZEN:CREDIT:payee:customer');
    await unfreezes.execute(c.accountId);
    await kit.changeStatus.execute(c.accountId, 'CLOSED');
    expect(await outcome(freezes.execute({ accountId: c.accountId, level: 'ALL', reason: 'x', operator: 'test' }))).toBe('ACCOUNT_NOT_ACTIVE');
    expect(await outcome(unfreezes.execute(c.accountId))).toBe('ACCOUNT_NOT_FROZEN');
    expect(await outcome(freezes.execute({ accountId: c.accountId, level: 'SOME', reason: 'x', operator: 'test' }))).toBe('INVALID_FREEZE');
  });
});

describe('merchant freezes on the real ledger', () => {
  function payouts() {
    return new PayoutMerchantHandler({
      merchants: kit.merchants,
      payouts: new PostgresPayoutRepository(orm, kit.ledger),
      provider: new InMemoryDisbursementProvider(),
    });
  }

  const cases: [FreezeLevel, Record<string, string>][] = [
    ['DEBIT', { payment: 'ok', refund: 'ok', payout: 'FROZEN:DEBIT:payer:merchant' }],
    ['CREDIT', { payment: 'FROZEN:CREDIT:payee:merchant', refund: 'ok', payout: 'ok' }],
    ['ALL', { payment: 'FROZEN:ALL:payee:merchant', refund: 'ok', payout: 'FROZEN:ALL:payer:merchant' }],
  ];

  it.each(cases)('a merchant frozen %s: payments to it, refunds from it and payouts', async (level, expected) => {
    const payer = await customer();
    const shop = await createMerchant(orm, { feeBps: 0 });
    const paid = await kit.pay.execute({ userId: payer.userId, amount: m('100000.00'), merchantId: shop.code });
    const frozen = await merchantFreezes.execute(shop.code, { level, reason: 'chargeback storm', operator: 'test' });
    expect(frozen.after.freeze).toMatchObject({ level, reason: 'chargeback storm' });

    const got: Record<string, string> = {};
    const step = async (name: string, run: () => Promise<unknown>) => {
      const before = (await kit.merchants.findByCode(shop.code))!.balance.toString();
      got[name] = await outcome(run());
      if (got[name] !== 'ok') expect((await kit.merchants.findByCode(shop.code))!.balance.toString()).toBe(before);
    };
    const payerBefore = await balanceOf(orm, payer.accountId);
    await step('payment', () => kit.pay.execute({ userId: payer.userId, amount: m('1000.00'), merchantId: shop.code }));
    if (got.payment !== 'ok') expect(await balanceOf(orm, payer.accountId)).toBe(payerBefore); // the payer's debit rolled back too
    await step('refund', () => kit.refund.execute({ transactionId: paid.transactionId, amount: m('10000.00'), operator: 'test' }));
    await step('payout', () => payouts().execute({ merchantCode: shop.code, amount: m('5000.00') }));
    expect(got).toEqual(expected);
    const recorded = await refusalsOf(shop.accountId);
    expect(recorded).toHaveLength(Object.values(expected).filter((v) => v !== 'ok').length);
    expect(recorded.every((r) => r.rule === `freeze.${level}` && r.code === 'ACCOUNT_FROZEN')).toBe(true);

    await merchantUnfreezes.execute(shop.code);
    expect(await outcome(kit.pay.execute({ userId: payer.userId, amount: m('1000.00'), merchantId: shop.code }))).toBe('ok');
    expect(await outcome(payouts().execute({ merchantCode: shop.code, amount: m('1000.00') }))).toBe('ok');
  });
});

describe('refusals by rule in the regulator report', () => {
  it('counts the refusals recorded over the period, by rule and code, with their amounts', async () => {
    const queries = transactionQueries(new PostgresTransactionReadRepository(orm));
    const today = new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10); // Asia/Jakarta
    const before = await queries.report.execute(today, today, 'day');
    const ruleCount = (r: typeof before, rule: string) => r.refusals.byRule.filter((x) => x.rule === rule).reduce((n, x) => n + x.count, 0);

    const small = await createCustomer(orm, { tier: 'UNREGISTERED' });
    const sender = await customer('5000000.00');
    const refused = await outcome(
      kit.transfer.execute({ userId: sender.userId, username: sender.username, recipient: small.username, amount: m('2500000.00') }),
    );
    expect(refused).toBe('BALANCE_LIMIT_EXCEEDED');
    const unregistered = await createCustomer(orm, { tier: 'UNREGISTERED', balance: '1000.00' });
    expect(
      await outcome(kit.transfer.execute({ userId: unregistered.userId, username: unregistered.username, recipient: sender.username, amount: m('500.00') })),
    ).toBe('KYC_REQUIRED');

    const after = await queries.report.execute(today, today, 'day');
    expect(ruleCount(after, 'kyc.balance_limit') - ruleCount(before, 'kyc.balance_limit')).toBe(1);
    expect(ruleCount(after, 'kyc.transfers_to_others') - ruleCount(before, 'kyc.transfers_to_others')).toBe(1);
    expect(after.refusals.count - before.refusals.count).toBe(2);
    expect(await refusalsOf(small.accountId)).toEqual([{ rule: 'kyc.balance_limit', code: 'BALANCE_LIMIT_EXCEEDED', amount: '2500000.00' }]);
    // Another period does not count them.
    expect((await queries.report.execute('2020-01-01', '2020-01-31', 'month')).refusals).toEqual({ count: 0, byRule: [] });
  });
});
