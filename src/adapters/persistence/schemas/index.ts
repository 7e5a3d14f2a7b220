import type { EntitySchema } from '@mikro-orm/core';
import { AuthenticationSchema, RefreshTokenFamilySchema, UserSchema } from './identity.ts';
import { MerchantPayoutSchema, MerchantSchema } from './merchant.ts';
import { AccountIdentitySchema, AccountSchema, HistoricalTransactionSchema, LedgerEntrySchema, MovementRefusalSchema } from './wallet.ts';
import { ProviderDiscrepancySchema, TopUpReconciliationSchema } from './finality.ts';
import { ApiAccessLogSchema, ApiKeySchema, ExternalServiceSchema } from './regulator.ts';
import { TransactionDailyAggregateSchema, TransactionReportRowSchema } from './reports.ts';
import { ReconciliationCaseSchema, ReconciliationDailyClaimSchema, ReconciliationExceptionSchema, ReconciliationRunSchema } from './reconciliation.ts';
import { AuditChainHeadSchema, AuditCheckpointSchema, AuditEventSchema } from './audit.ts';
import { RiskCaseSchema, RiskEvaluationSchema, RiskRuleSchema } from './risk.ts';
import { IdempotencyKeySchema, OutboxEventSchema, OutboxRelayLeaseSchema, ProcessedMessageSchema } from './platform.ts';

/**
 * Every table, described once: the entity schemas are what the code's row types derive from
 * (InferEntity), what the typed query builder checks queries against, and what
 * tests/integration/schema-diff.test.ts compares with the database the migrations build.
 * A new table or column: its migration, and its schema here (the test fails until both agree).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a heterogeneous list of schemas
export const entitySchemas: EntitySchema<any>[] = [
  UserSchema,
  AuthenticationSchema,
  RefreshTokenFamilySchema,
  MerchantSchema,
  MerchantPayoutSchema,
  AccountSchema,
  AccountIdentitySchema,
  HistoricalTransactionSchema,
  LedgerEntrySchema,
  MovementRefusalSchema,
  TopUpReconciliationSchema,
  ProviderDiscrepancySchema,
  ExternalServiceSchema,
  ApiKeySchema,
  ApiAccessLogSchema,
  TransactionReportRowSchema,
  TransactionDailyAggregateSchema,
  ReconciliationRunSchema,
  ReconciliationCaseSchema,
  ReconciliationExceptionSchema,
  ReconciliationDailyClaimSchema,
  AuditChainHeadSchema,
  AuditEventSchema,
  AuditCheckpointSchema,
  OutboxEventSchema,
  OutboxRelayLeaseSchema,
  IdempotencyKeySchema,
  ProcessedMessageSchema,
  RiskRuleSchema,
  RiskEvaluationSchema,
  RiskCaseSchema,
];

export * from './identity.ts';
export * from './merchant.ts';
export * from './wallet.ts';
export * from './finality.ts';
export * from './regulator.ts';
export * from './reports.ts';
export * from './reconciliation.ts';
export * from './audit.ts';
export * from './platform.ts';
export * from './risk.ts';
