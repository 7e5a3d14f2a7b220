// The long bank test: tens of thousands of random operations under provider faults, the invariant
// checked continuously and at the end. The short version runs in `npm test` (tests/e2e/bank-invariant.test.ts).
//   node bench/bank-invariant.ts [operations=20000] [concurrency=16]
import { allModules } from '../src/entrypoints/all-in-one/modules.ts';
import { paymentRuntime } from '../tests/support/payment-runtime.ts';
import { startPlatform } from '../src/entrypoints/shared/platform.ts';
import { loadConfig } from '../src/entrypoints/shared/config.ts';
import { runBankTest } from '../tests/support/bank-run.ts';
import { createIsolatedDatabase } from '../tests/support/isolated-database.ts';

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
const { stats, violations } = await runBankTest(p, paymentRuntime(p.container), {
  customers: 50,
  balance: '5000000.00',
  operator: 'bank-long',
  operations,
  concurrency,
  drainMs: 120_000,
  drainPauseMs: 1000,
  log: (line) => console.error(line),
});
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
