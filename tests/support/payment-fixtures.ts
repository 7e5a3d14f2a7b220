import type { KycTier } from '../../src/domain/wallet/kyc.ts';
import type { KycLimits } from '../../src/domain/ledger/limits.ts';
import { randomInt } from 'node:crypto';
import type { Orm } from '../../src/adapters/persistence/orm.ts';
import { InMemoryEWalletProvider } from '../../src/adapters/memory/in-memory-ewallet-provider.ts';
import { Money } from '../../src/domain/shared/money.ts';
import { BI_QRIS_FEE_TABLE } from '../../src/domain/merchant/mdr.ts';
import type { MerchantCategory, MerchantStatus, MerchantWithBalance } from '../../src/domain/merchant/merchant.ts';
import { loadConfig } from '../../src/entrypoints/shared/config.ts';
import { PAYMENT, paymentBindings } from '../../src/entrypoints/payment/payment.bindings.ts';
import { paymentSettingsOf } from '../../src/entrypoints/payment/payment-settings.ts';
import { memoryEWalletModule } from '../../src/entrypoints/composition/memory.module.ts';
import { fixtureContainer } from './fixture-container.ts';
import { uniq } from './services.ts';

export interface Customer {
  userId: number;
  username: string;
  phone: string;
  accountId: string;
}

/** A fresh Indonesian mobile number (random: collisions are one in a billion per pair). */
export function uniquePhone(): string {
  return `+62857${String(randomInt(0, 1_000_000_000)).padStart(9, '0')}`;
}

/**
 * A customer straight in the database (the auth service's registration is tested elsewhere), with
 * an ACTIVE account at 0.00; a starting balance is credited from the FUNDING account through the
 * ledger, so the books stay balanced.
 */
/**
 * A customer with an account, REGISTERED by default (KYC: verified identity, so the suites that
 * move money between customers meet no tier rule; the KYC suites ask for UNREGISTERED).
 */
export async function createCustomer(orm: Orm, opts: { balance?: string; role?: 'USER' | 'ADMIN'; tier?: KycTier } = {}): Promise<Customer> {
  const username = uniq('pay_');
  const phone = uniquePhone();
  const conn = orm.em.getConnection();
  const [u] = (await conn.execute(`insert into users (username, email, phone, password, role) values (?, ?, ?, 'not-a-login-hash', ?) returning id`, [
    username,
    `${username}@example.com`,
    phone,
    opts.role ?? 'USER',
  ])) as [{ id: number }];
  const [a] = (await conn.execute(`insert into accounts (user_id, kyc_tier) values (?, ?) returning id`, [u.id, opts.tier ?? 'REGISTERED'])) as [
    { id: string },
  ];
  if (opts.balance && opts.balance !== '0.00') {
    await paymentKit(orm, { topic: 'test' }).credit.execute({
      accountId: a.id,
      amount: Money.parse(opts.balance),
      operator: 'test',
    });
  }
  return { userId: u.id, username, phone, accountId: a.id };
}

export async function balanceOf(orm: Orm, accountId: string): Promise<string> {
  const [r] = (await orm.em.getConnection().execute(`select balance::text as b from accounts where id = ?`, [accountId])) as [{ b: string }];
  return r.b;
}

export async function setStatus(orm: Orm, accountId: string, status: 'ACTIVE' | 'SUSPENDED' | 'CLOSED'): Promise<void> {
  await orm.em.getConnection().execute(`update accounts set account_status = ? where id = ?`, [status, accountId]);
}

/**
 * A merchant that can be paid (code = the merchant_id of payments), with its own ledger account.
 * Idempotent on the code, so suites may call it for a code they pay again; a status other than
 * ACTIVE is set on the merchant and its account as the CLI would.
 */
export async function createMerchant(
  orm: Orm,
  opts: { code?: string; name?: string; category?: MerchantCategory; feeBps?: number | null; status?: MerchantStatus } = {},
): Promise<MerchantWithBalance> {
  const repo = paymentKit(orm).merchants;
  const code = opts.code ?? uniq('M-');
  const existing = await repo.findByCode(code);
  if (!existing)
    await repo.create({
      code,
      name: opts.name ?? `Merchant ${code}`,
      category: opts.category ?? 'REGULAR',
      bankAccount: { bankCode: 'BCA', accountNumber: '1234567890', holderName: 'Budi Santoso' },
      feeBps: opts.feeBps ?? null,
    });
  if (opts.status && opts.status !== 'ACTIVE') await repo.changeStatus(code, opts.status, () => {});
  return (await repo.findByCode(code))!;
}

/**
 * The payment use cases over real PostgreSQL, with in-memory e-wallet fakes: the payment module
 * itself, with no KYC limits, refusal log or fraud rules unless asked
 * (suites of other rules), scaled-down timings, and group commit as configured (TEST_LEDGER_BATCH_MAX overrides).
 */
export function paymentKit(
  orm: Orm,
  opts: { topic?: string; olderThanSeconds?: number; notFoundFinalAfterMs?: number; leaseMs?: number; limits?: KycLimits; refusals?: boolean } = {},
) {
  const gopay = new InMemoryEWalletProvider('GOPAY', { seeds: [] });
  const shopeepay = new InMemoryEWalletProvider('SHOPEE_PAY', { seeds: [] });
  // Scaled-down finality: the fakes drop a top-up held past 200 ms (their acceptance window), the
  // send fence is 1.5 s after the debit (room for a busy machine between the debit's commit and the
  // call), so NOT_FOUND is final once a top-up is 1.7 s old.
  for (const p of [gopay, shopeepay]) p.control.acceptanceWindowMs = 200;
  const sendDeadlineMs = 1500;
  const notFoundFinalAfterMs = opts.notFoundFinalAfterMs ?? sendDeadlineMs + 200;
  const settings = {
    ...paymentSettingsOf(loadConfig({ NODE_ENV: 'test' })),
    ledgerTopic: opts.topic ?? 'transaction-events-test',
    kycLimits: opts.limits,
    recordRefusals: opts.refusals ?? false,
    riskScreen: false,
    ledgerBatch: testLedgerBatch(),
    feeTable: BI_QRIS_FEE_TABLE,
    topUpMaxAmount: Money.parse('20000000.00'),
    sendDeadlineMs,
    reconcile: {
      intervalMs: 50,
      olderThanSeconds: opts.olderThanSeconds ?? 0,
      notFoundFinalAfterMs: { GOPAY: notFoundFinalAfterMs, SHOPEE_PAY: notFoundFinalAfterMs },
      leaseMs: opts.leaseMs ?? 10_000,
      backoffMaxMs: 200,
    },
  };
  const c = fixtureContainer(orm, [memoryEWalletModule({ GOPAY: gopay, SHOPEE_PAY: shopeepay }), paymentBindings({ settings, reconciler: false })]);
  const newReconciler = c.get(PAYMENT.NewReconciler);
  return {
    ledger: c.get(PAYMENT.Ledger),
    accounts: c.get(PAYMENT.Accounts),
    gopay,
    shopeepay,
    settle: c.get(PAYMENT.SettleTopUp),
    cache: c.get(PAYMENT.BalanceCache),
    credit: c.get(PAYMENT.Credit),
    merchants: c.get(PAYMENT.Merchants),
    pay: c.get(PAYMENT.CreatePayment),
    transfer: c.get(PAYMENT.CreateTransfer),
    refund: c.get(PAYMENT.RefundPayment),
    discrepancies: c.get(PAYMENT.Discrepancies),
    topUp: c.get(PAYMENT.TopUp),
    reconciler: c.get(PAYMENT.Reconciler),
    /** Another replica's reconciler on the same database. */
    reconcilerOf: (batchSize?: number) => newReconciler(batchSize === undefined ? {} : { batchSize }),
    changeStatus: c.get(PAYMENT.ChangeStatus),
    getBalance: c.get(PAYMENT.GetBalance),
  };
}

/** Group commit for the suites as configured by default (on), or as TEST_LEDGER_BATCH_MAX says (0: one transaction per movement). */
export function testLedgerBatch(): { max: number; windowMs: number; concurrency: number } | undefined {
  const batch = paymentSettingsOf(loadConfig({ NODE_ENV: 'test' })).ledgerBatch!;
  const max = process.env.TEST_LEDGER_BATCH_MAX === undefined ? batch.max : Number(process.env.TEST_LEDGER_BATCH_MAX);
  return max > 1 ? { ...batch, max } : undefined;
}
