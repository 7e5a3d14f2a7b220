// The long bank test: tens of thousands of random operations under provider faults, the invariant
// checked continuously and at the end. The short version runs in `npm test` (tests/e2e/bank-invariant.test.ts).
//   node bench/bank-invariant.ts [operations=20000] [concurrency=16]
import { Money } from '../src/domain/shared/money.ts';
import { allModules } from '../src/entrypoints/all-in-one/modules.ts';
import { paymentRuntime } from '../tests/support/payment-runtime.ts';
import { startPlatform } from '../src/entrypoints/shared/platform.ts';
import { loadConfig } from '../src/entrypoints/shared/config.ts';
import { finalInvariants, ledgerSnapshot, runBankWorkload, settleProviderPending, type BankClient } from '../tests/support/bank-workload.ts';
import { createUser } from '../tests/support/fixtures.ts';
import { createIsolatedDatabase } from '../tests/support/isolated-database.ts';
import { accessTokenFor } from '../tests/support/tokens.ts';

const operations = Number(process.argv[2] ?? '20000');
const concurrency = Number(process.argv[3] ?? '16');
process.env.TEST_POSTGRES_ADMIN_URL ??= 'postgresql://postgres@127.0.0.1:5432/postgres';
const db = await createIsolatedDatabase('onegate_bank_long');
const started = Date.now();
const p = await startPlatform({
  service: 'all-in-one',
  modules: allModules,
  config: loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    DATABASE_URL: db.url,
    DATABASE_POOL_MAX: '20',
    REDIS_URL: 'redis://127.0.0.1:6379/11',
    KAFKA_BROKERS: '127.0.0.1:9092',
    KAFKA_TOPIC_TRANSACTIONS: `bank-long-${Date.now()}`,
    KAFKA_CONSUMER_GROUP: `bank-long-${Date.now()}`,
    EWALLET_TIMEOUT_MS: '300',
    EWALLET_RETRIES: '1',
    EWALLET_CIRCUIT_THRESHOLD: '1000',
    PAYMENT_RECONCILE_INTERVAL_MS: '500',
    PAYMENT_RECONCILE_AFTER_SECONDS: '2',
    PAYMENT_RECONCILE_BACKOFF_MAX_MS: '2000',
    PAYMENT_RECONCILE_LEASE_MS: '5000',
    // The payout checker runs against the platform's disbursement sandbox, which the workload's payouts use.
    PAYOUT_CHECK_INTERVAL_MS: '500',
    PAYOUT_CHECK_AFTER_SECONDS: '2',
    PAYOUT_CHECK_BACKOFF_MAX_MS: '2000',
    PAYOUT_CHECK_LEASE_MS: '5000',
    GOPAY_ACCEPTANCE_WINDOW_MS: '6000',
    SHOPEEPAY_ACCEPTANCE_WINDOW_MS: '6000',
  }),
});
const runtime = paymentRuntime(p.container);
const sandboxes = runtime.sandboxes!;
sandboxes.setWebhookBaseUrl(`${p.url}/api/payment/webhooks`);
const clients: BankClient[] = [];
for (let i = 0; i < 50; i++) {
  const u = await createUser(p.infra.orm);
  await runtime.credit.execute({ accountId: u.accountId, amount: Money.parse('5000000.00'), operator: 'bank-long' });
  for (const sb of [sandboxes.gopay, sandboxes.shopeepay]) sb.control.registerWallet(u.phone, { name: u.username });
  clients.push({ userId: u.userId, username: u.username, phone: u.phone, token: accessTokenFor(p, { userId: u.userId, username: u.username }) });
}
const admin = await createUser(p.infra.orm, { role: 'ADMIN' });
const adminToken = accessTokenFor(p, { userId: admin.userId, username: admin.username, role: 'ADMIN' });
const initial = await ledgerSnapshot(p.infra.orm);
console.error(`bank: ${operations} operations, ${concurrency} clients, 50 accounts + the bank's system accounts`);
const stats = await runBankWorkload({
  baseUrl: () => p.url,
  orm: p.infra.orm,
  clients,
  adminToken,
  sandboxes,
  operations,
  concurrency,
  faults: true,
  lateAnswerMs: 4000,
  payouts: { handler: runtime.payouts.payouts, bank: runtime.payouts.adapter!.sandbox!.control },
});
const deadline = Date.now() + 120_000;
for (;;) {
  const refs = (
    (await p.infra.orm.em.getConnection().execute(`select transaction_id from historical_transactions where transaction_status = 'PENDING'`)) as {
      transaction_id: string;
    }[]
  ).map((r) => r.transaction_id);
  if (refs.length === 0 || Date.now() > deadline) break;
  await settleProviderPending(sandboxes, refs);
  await new Promise((r) => setTimeout(r, 1000));
}
const violations = [
  ...stats.violations,
  ...(await finalInvariants(p.infra.orm, initial.total, sandboxes, { walletsFromZero: clients.map((c) => c.phone), bank: stats.bank })),
];
const [counts] = (await p.infra.orm.em.getConnection().execute(
  `select (select count(*) from historical_transactions)::int as rows, (select count(*) from historical_transactions where transaction_type = 'TOPUP')::int as topups,
          (select count(distinct movement_id) from ledger_entries)::int as movements`,
)) as [{ rows: number; topups: number; movements: number }];
await p.stop();
await db.drop();
const result = {
  operations,
  concurrency,
  seconds: Math.round((Date.now() - started) / 1000),
  continuous_checks: stats.checks,
  history_rows: counts.rows,
  topups: counts.topups,
  ledger_movements: counts.movements,
  server_errors: stats.serverErrors,
  violations,
  statuses: stats.statuses,
};
console.log(JSON.stringify(result, null, 2));
process.exit(violations.length || stats.serverErrors.length ? 1 : 0);
