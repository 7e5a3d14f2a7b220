import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Config } from '../shared/config.ts';
import { kycLimitsOf } from './kyc-limits.ts';
import { Money } from '../../domain/shared/money.ts';
import type { KycLimits } from '../../domain/ledger/limits.ts';
import { parseFeeTable, type FeeTable } from '../../domain/merchant/mdr.ts';
import { notFoundFinalAfterMs, sendFenceMs } from '../../domain/ewallet/top-up-finality.ts';
import type { ReconcilerOptions } from '../../application/payment/reconcile-top-ups/top-up-reconciler.ts';
import { PAYMENT_METHODS } from '../../domain/ledger/transaction.ts';
import type { BatcherOptions } from '../../adapters/persistence/payment/ledger-batcher.ts';
import type { DailyReconciliationOptions } from '../../application/payment/reconcile-statements/daily-reconciliation.job.ts';

/** The payment context's configuration slice: what its bindings read, derived once from the config (tests give their own). */
export interface PaymentSettings {
  /** The topic of the ledger's outbox events. */
  ledgerTopic: string;
  /** Bank Indonesia's KYC limits; without them no tier limit applies (fixtures that test other rules). */
  kycLimits: KycLimits | undefined;
  /** Group commit: concurrent movements in one transaction (undefined: one transaction per movement). */
  ledgerBatch: BatcherOptions | undefined;
  /** Whether refused movements are recorded for the regulator report (fixtures of other rules leave them out). */
  recordRefusals: boolean;
  /** Whether the fraud rules screen top-ups, payments and transfers (fixtures of other rules run without). */
  riskScreen: boolean;
  feeTable: FeeTable;
  topUpMaxAmount: Money;
  /** How long after its debit a top-up's provider call may still be sent (top-up-finality.ts). */
  sendDeadlineMs: number;
  recipientLookupsPerHour: number;
  reconcile: Omit<ReconcilerOptions, 'batchSize'>;
  daily: DailyReconciliationOptions;
  /** Whether the daily statement reconciliation runs on its schedule in this process. */
  dailyEnabled: boolean;
}

export function paymentSettingsOf(config: Config): PaymentSettings {
  const call = { timeoutMs: config.EWALLET_TIMEOUT_MS, retries: config.EWALLET_RETRIES, backoffMs: config.EWALLET_BACKOFF_MS };
  return {
    ledgerTopic: config.KAFKA_TOPIC_TRANSACTIONS,
    kycLimits: kycLimitsOf(config),
    ledgerBatch: { max: config.LEDGER_BATCH_MAX, windowMs: config.LEDGER_BATCH_WINDOW_MS, concurrency: config.LEDGER_BATCH_CONCURRENCY },
    recordRefusals: true,
    riskScreen: true,
    feeTable: parseFeeTable(config.MERCHANT_FEE_TABLE),
    topUpMaxAmount: Money.parse(config.TOPUP_MAX_AMOUNT),
    sendDeadlineMs: sendFenceMs(call),
    recipientLookupsPerHour: config.RECIPIENT_LOOKUPS_PER_HOUR,
    reconcile: {
      intervalMs: config.PAYMENT_RECONCILE_INTERVAL_MS,
      olderThanSeconds: config.PAYMENT_RECONCILE_AFTER_SECONDS,
      notFoundFinalAfterMs: {
        GOPAY: notFoundFinalAfterMs(call, config.GOPAY_ACCEPTANCE_WINDOW_MS),
        SHOPEE_PAY: notFoundFinalAfterMs(call, config.SHOPEEPAY_ACCEPTANCE_WINDOW_MS),
      },
      leaseMs: config.PAYMENT_RECONCILE_LEASE_MS,
      backoffMaxMs: config.PAYMENT_RECONCILE_BACKOFF_MAX_MS,
    },
    daily: {
      providers: [...PAYMENT_METHODS],
      checkIntervalMs: config.STATEMENT_RECONCILE_CHECK_MS,
      fromHourJakarta: config.STATEMENT_RECONCILE_FROM_HOUR,
      leaseSeconds: config.STATEMENT_RECONCILE_LEASE_SECONDS,
      owner: `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`,
    },
    dailyEnabled: config.STATEMENT_RECONCILE_ENABLED,
  };
}
