import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allModules } from '../../src/entrypoints/all-in-one/modules.ts';
import { paymentRuntime, type PaymentRuntime } from '../support/payment-runtime.ts';
import { startPlatform, type RunningPlatform } from '../../src/entrypoints/shared/platform.ts';
import { runBankTest } from '../support/bank-run.ts';
import { createIsolatedDatabase } from '../support/isolated-database.ts';
import { realServicesConfig, uniq } from '../support/services.ts';

// The short bank test of `npm test` (the long one: `node bench/bank-invariant.ts`). Its own
// database, so that the sum over every account is this run's alone.
let db: Awaited<ReturnType<typeof createIsolatedDatabase>>;
let p: RunningPlatform;
let runtime: PaymentRuntime;

beforeAll(async () => {
  db = await createIsolatedDatabase('onegate_bank');
  p = await startPlatform({
    service: 'all-in-one',
    modules: allModules,
    config: realServicesConfig({
      DATABASE_URL: db.url,
      KAFKA_TOPIC_TRANSACTIONS: uniq('bank-events-'),
      EWALLET_TIMEOUT_MS: '300',
      EWALLET_RETRIES: '1',
      EWALLET_CIRCUIT_THRESHOLD: '1000',
      PAYMENT_RECONCILE_INTERVAL_MS: '300',
      PAYMENT_RECONCILE_AFTER_SECONDS: '1',
      PAYMENT_RECONCILE_BACKOFF_MAX_MS: '1000',
      PAYMENT_RECONCILE_LEASE_MS: '5000',
      // The platform's payout checker runs against its own disbursement sandbox, which the workload's payouts use.
      PAYOUT_CHECK_ENABLED: 'true',
      PAYOUT_CHECK_INTERVAL_MS: '300',
      PAYOUT_CHECK_AFTER_SECONDS: '1',
      PAYOUT_CHECK_BACKOFF_MAX_MS: '1000',
      PAYOUT_CHECK_LEASE_MS: '5000',
      // Scaled-down acceptance windows (the in-process sandboxes keep the same): "not found" is
      // final 1.6 s (the send fence) + 6 s after a top-up; the workload's late answers come at 4 s.
      GOPAY_ACCEPTANCE_WINDOW_MS: '6000',
      SHOPEEPAY_ACCEPTANCE_WINDOW_MS: '6000',
    }),
  });
  runtime = paymentRuntime(p.container);
});

afterAll(async () => {
  await p?.stop();
  await db?.drop();
});

describe('bank invariant (short version)', () => {
  it(
    'keeps the total constant, no balance negative, the journal consistent, every top-up settled once and the money across the provider boundary equal, under provider faults and late answers',
    { timeout: 240_000 },
    async () => {
      const { stats, violations } = await runBankTest(p, runtime, {
        customers: 8,
        balance: '3000000.00',
        operator: 'bank-test',
        operations: 300,
        concurrency: 8,
        drainMs: 60_000,
        drainPauseMs: 300,
        reconcile: true,
      });
      expect(stats.serverErrors).toEqual([]);
      expect(violations).toEqual([]);
      expect(stats.checks).toBeGreaterThan(5);
      // The run really moved money and really met faults.
      const ok = (k: string) =>
        Object.entries(stats.statuses)
          .filter(([l]) => l.startsWith(`${k} 20`))
          .reduce((n, [, c]) => n + c, 0);
      expect(ok('payment')).toBeGreaterThan(0);
      expect(ok('transfer')).toBeGreaterThan(0);
      expect(ok('topup')).toBeGreaterThan(0);
      expect(stats.statuses['payout SUCCESS'] ?? 0).toBeGreaterThan(0);
      expect(stats.bank.transferCount()).toBeGreaterThan(0);
      // Fraud-rule holds were in the mix and decided (approved or rejected once each).
      expect((stats.statuses['review APPROVED'] ?? 0) + (stats.statuses['review REJECTED'] ?? 0)).toBeGreaterThan(0);
      const faulted = Object.entries(stats.statuses)
        .filter(([l]) => /^topup (202|422 TOPUP|50)/.test(l))
        .reduce((n, [, c]) => n + c, 0);
      expect(faulted).toBeGreaterThan(0);
    },
  );
});
