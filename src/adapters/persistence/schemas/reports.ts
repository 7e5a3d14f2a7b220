import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { TRANSACTION_STATUSES, TRANSACTION_TYPES } from '../../../domain/ledger/transaction.ts';
import { money, timestampNow } from './columns.ts';

// The reports' read model, kept by the transaction-events consumer. payment_method is '' for rows
// without one (so that it can be part of the aggregates' primary key), hence text, not the enum.
const type = () => p.enum(TRANSACTION_TYPES).nativeEnumName('transaction_type');
const status = () => p.enum(TRANSACTION_STATUSES).nativeEnumName('transaction_status');

export const TransactionReportRowSchema = defineEntity({
  name: 'TransactionReportRow',
  tableName: 'transaction_report_rows',
  properties: {
    transactionId: p.string().length(50).primary(),
    day: p.date(),
    transactionType: type(),
    transactionStatus: status(),
    paymentMethod: p.string().length(20),
    isAccessibleExternal: p.boolean(),
    amount: money(),
    updatedAt: timestampNow(),
  },
});
export type TransactionReportRowRecord = InferEntity<typeof TransactionReportRowSchema>;

export const TransactionDailyAggregateSchema = defineEntity({
  name: 'TransactionDailyAggregate',
  tableName: 'transaction_daily_aggregates',
  properties: {
    day: p.date().primary(),
    transactionType: type().primary(),
    transactionStatus: status().primary(),
    paymentMethod: p.string().length(20).primary(),
    isAccessibleExternal: p.boolean().primary(),
    txCount: p.bigint('string').defaultRaw('0'),
    amount: money('numeric(20,2)').default(0),
  },
});
export type TransactionDailyAggregateRecord = InferEntity<typeof TransactionDailyAggregateSchema>;
