import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { PAYMENT_METHODS } from '../../../domain/ledger/transaction.ts';
import type { DiscrepancyKind, DiscrepancyResolution, DiscrepancySource, DiscrepancyStatus } from '../../../domain/ledger/provider-discrepancy.ts';
import { AccountSchema, HistoricalTransactionSchema } from './wallet.ts';
import { generatedUuid, money, timestamp, timestampNow } from './columns.ts';

/** Per PENDING top-up, the reconcilers' shared state (one claim at a time, back-off). */
export const TopUpReconciliationSchema = defineEntity({
  name: 'TopUpReconciliation',
  tableName: 'top_up_reconciliation',
  properties: {
    transactionId: p
      .manyToOne(HistoricalTransactionSchema)
      .mapToPk()
      .fieldName('transaction_id')
      .referencedColumnNames('transaction_id')
      .columnType('varchar(50)')
      .primary()
      .deleteRule('cascade')
      .updateRule('no action'),
    checks: p.integer().default(0),
    nextCheckAt: timestampNow(),
    leaseToken: p.uuid().nullable(),
    leaseUntil: timestamp().nullable(),
    updatedAt: timestampNow(),
  },
  checks: [{ name: 'top_up_reconciliation_checks_check', expression: 'checks >= 0' }],
});
export type TopUpReconciliationRecord = InferEntity<typeof TopUpReconciliationSchema>;

export const ProviderDiscrepancySchema = defineEntity({
  name: 'ProviderDiscrepancy',
  tableName: 'provider_discrepancies',
  properties: {
    id: generatedUuid(),
    transactionId: p
      .manyToOne(HistoricalTransactionSchema)
      .mapToPk()
      .fieldName('transaction_id')
      .referencedColumnNames('transaction_id')
      .columnType('varchar(50)'),
    kind: p.string().length(30).$type<DiscrepancyKind>(),
    paymentMethod: p.enum(PAYMENT_METHODS).nativeEnumName('payment_method'),
    accountId: p.manyToOne(AccountSchema).mapToPk().fieldName('account_id'),
    userId: p.integer(),
    amount: money(),
    providerReference: p.string().length(100).nullable(),
    detectedVia: p.string().length(10).$type<DiscrepancySource>(),
    detectedAt: timestampNow(),
    detections: p.integer().default(1),
    status: p.string().length(10).$type<DiscrepancyStatus>().default('OPEN'),
    resolution: p.string().length(10).$type<DiscrepancyResolution>().nullable(),
    resolutionMovementId: p.uuid().nullable(),
    resolutionTransactionId: p.string().length(50).nullable(),
    resolvedBy: p.string().length(100).nullable(),
    resolvedAt: timestamp().nullable(),
  },
  uniques: [{ properties: ['transactionId', 'kind'] }],
  indexes: [
    {
      name: 'provider_discrepancies_open_idx',
      expression: `create index provider_discrepancies_open_idx on provider_discrepancies (detected_at) where status = 'OPEN'`,
    },
  ],
  checks: [
    { name: 'provider_discrepancies_kind_check', expression: `kind in ('SUCCESS_AFTER_FAILED')` },
    { name: 'provider_discrepancies_amount_check', expression: 'amount > 0' },
    { name: 'provider_discrepancies_detected_via_check', expression: `detected_via in ('webhook', 'inquiry', 'request')` },
    { name: 'provider_discrepancies_status_check', expression: `status in ('OPEN', 'RESOLVED')` },
    { name: 'provider_discrepancies_resolution_check', expression: `resolution in ('REDEBIT', 'BANK_LOSS')` },
    { name: 'provider_discrepancies_check', expression: `(status = 'OPEN') = (resolution is null)` },
    { name: 'provider_discrepancies_check1', expression: `(status = 'OPEN') = (resolution_movement_id is null)` },
  ],
});
export type ProviderDiscrepancyRecord = InferEntity<typeof ProviderDiscrepancySchema>;
