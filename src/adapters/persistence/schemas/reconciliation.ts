import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { PAYMENT_METHODS, TRANSACTION_STATUSES } from '../../../domain/ledger/transaction.ts';
import { EXCEPTION_KINDS, RESOLUTIONS, type ExceptionKind, type Resolution } from '../../../domain/reconciliation/reconciliation.ts';
import type { TopUpStatus } from '../../../domain/ewallet/ewallet-provider.ts';
import { fixedChar, money, timestamp, timestampNow } from './columns.ts';

const sqlList = (items: readonly string[]) => items.map((i) => `'${i}'`).join(', ');
const provider = () => p.enum(PAYMENT_METHODS).nativeEnumName('payment_method');
const ourStatus = () => p.enum(TRANSACTION_STATUSES).nativeEnumName('transaction_status').nullable();

export const ReconciliationRunSchema = defineEntity({
  name: 'ReconciliationRun',
  tableName: 'reconciliation_runs',
  properties: {
    id: p.bigint('string').primary().autoincrement(),
    provider: provider(),
    statementDate: p.date(),
    triggeredBy: p.string().length(100),
    startedAt: timestamp(),
    finishedAt: timestampNow(),
    statementSha256: fixedChar(64),
    statementLines: p.integer(),
    ourTopups: p.integer(),
    matched: p.integer(),
    missingOurs: p.integer(),
    missingProvider: p.integer(),
    amountMismatch: p.integer(),
    statusMismatch: p.integer(),
  },
  indexes: [{ name: 'reconciliation_runs_day', properties: ['provider', 'statementDate', 'id'] }],
});
export type ReconciliationRunRecord = InferEntity<typeof ReconciliationRunSchema>;

export const ReconciliationCaseSchema = defineEntity({
  name: 'ReconciliationCase',
  tableName: 'reconciliation_cases',
  properties: {
    id: p.bigint('string').primary().autoincrement(),
    provider: provider(),
    statementDate: p.date(),
    kind: p.string().length(20).$type<ExceptionKind>(),
    transactionId: p.string().length(64),
    providerReference: p.string().length(100).nullable(),
    ourAmount: money().nullable(),
    providerAmount: money().nullable(),
    ourStatus: ourStatus(),
    providerStatus: p.string().length(10).$type<TopUpStatus>().nullable(),
    openedByRun: p.manyToOne(ReconciliationRunSchema).mapToPk().fieldName('opened_by_run'),
    openedAt: timestampNow(),
    caseStatus: p.string().length(10).$type<'OPEN' | 'RESOLVED'>().default('OPEN'),
    resolution: p.string().length(20).$type<Resolution>().nullable(),
    resolutionNote: p.text().nullable(),
    resolvedBy: p.string().length(100).nullable(),
    resolvedAt: timestamp().nullable(),
    resolutionMovementId: p.uuid().nullable(),
    resolutionTransactionId: p.string().length(50).nullable(),
  },
  uniques: [{ properties: ['provider', 'transactionId', 'kind'] }],
  indexes: [
    {
      name: 'reconciliation_cases_open',
      expression: `create index reconciliation_cases_open on reconciliation_cases (provider, statement_date) where case_status = 'OPEN'`,
    },
  ],
  checks: [
    { name: 'reconciliation_cases_kind_check', expression: `kind in (${sqlList(EXCEPTION_KINDS)})` },
    { name: 'reconciliation_cases_provider_status_check', expression: `provider_status in ('SUCCESS', 'PENDING', 'FAILED')` },
    { name: 'reconciliation_cases_case_status_check', expression: `case_status in ('OPEN', 'RESOLVED')` },
    { name: 'reconciliation_cases_resolution_check', expression: `resolution in (${sqlList(RESOLUTIONS)})` },
    { name: 'reconciliation_cases_check', expression: `(case_status = 'OPEN') = (resolved_at is null)` },
  ],
});
export type ReconciliationCaseRecord = InferEntity<typeof ReconciliationCaseSchema>;

export const ReconciliationExceptionSchema = defineEntity({
  name: 'ReconciliationException',
  tableName: 'reconciliation_exceptions',
  properties: {
    id: p.bigint('string').primary().autoincrement(),
    runId: p.manyToOne(ReconciliationRunSchema).mapToPk().fieldName('run_id'),
    caseId: p.manyToOne(ReconciliationCaseSchema).mapToPk().fieldName('case_id'),
    kind: p.string().length(20).$type<ExceptionKind>(),
    transactionId: p.string().length(64),
    providerReference: p.string().length(100).nullable(),
    ourAmount: money().nullable(),
    providerAmount: money().nullable(),
    ourStatus: ourStatus(),
    providerStatus: p.string().length(10).$type<TopUpStatus>().nullable(),
  },
  indexes: [{ name: 'reconciliation_exceptions_run', properties: ['runId'] }],
});
export type ReconciliationExceptionRecord = InferEntity<typeof ReconciliationExceptionSchema>;

/** The scheduled job's leader election: one claimed row per provider and day. */
export const ReconciliationDailyClaimSchema = defineEntity({
  name: 'ReconciliationDailyClaim',
  tableName: 'reconciliation_daily_claims',
  properties: {
    provider: provider().primary(),
    statementDate: p.date().primary(),
    claimedBy: p.string().length(200),
    claimedUntil: timestamp(),
    runId: p.manyToOne(ReconciliationRunSchema).mapToPk().fieldName('run_id').nullable().deleteRule('no action'),
  },
});
export type ReconciliationDailyClaimRecord = InferEntity<typeof ReconciliationDailyClaimSchema>;
