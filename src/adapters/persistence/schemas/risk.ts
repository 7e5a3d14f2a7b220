import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { RISK_RULE_CODES } from '../../../domain/risk/risk-rules.ts';
import { AccountSchema } from './wallet.ts';
import { money, sqlList, timestamp, timestampNow } from './columns.ts';

/** The fraud rules' configuration: one row per rule, changed by `risk rules set` (migration 20261201232500-risk-rules). */
export const RiskRuleSchema = defineEntity({
  name: 'RiskRule',
  tableName: 'risk_rules',
  properties: {
    code: p.string().length(30).primary(),
    enabled: p.boolean().default(false),
    outcome: p.string().length(6),
    params: p.json<Record<string, unknown>>(),
    updatedBy: p.string().nullable(),
    updatedAt: timestampNow(),
  },
  checks: [
    { name: 'risk_rules_code_check', expression: `code in (${sqlList(RISK_RULE_CODES)})` },
    { name: 'risk_rules_outcome_check', expression: `outcome in ('REVIEW', 'BLOCK')` },
  ],
});
export type RiskRuleRecord = InferEntity<typeof RiskRuleSchema>;

/** Every evaluation that was not ALLOW: the rules that fired and their figures (ids and numbers only). */
export const RiskEvaluationSchema = defineEntity({
  name: 'RiskEvaluation',
  tableName: 'risk_evaluations',
  properties: {
    id: p.uuid().primary(),
    kind: p.string().length(10),
    payerAccountId: p.manyToOne(AccountSchema).mapToPk().fieldName('payer_account_id').deleteRule('no action').updateRule('no action'),
    counterpartyAccountId: p.manyToOne(AccountSchema).mapToPk().fieldName('counterparty_account_id').nullable().deleteRule('no action').updateRule('no action'),
    amount: money(),
    outcome: p.string().length(6),
    rules: p.array().columnType('varchar(30)[]'),
    hits: p.json<unknown>(),
    transactionId: p.string().length(50).nullable(),
    createdAt: timestampNow(),
  },
  checks: [
    { name: 'risk_evaluations_kind_check', expression: `kind in ('TRANSFER', 'PAYMENT', 'TOPUP')` },
    { name: 'risk_evaluations_amount_check', expression: 'amount > 0' },
    { name: 'risk_evaluations_outcome_check', expression: `outcome in ('REVIEW', 'BLOCK')` },
  ],
  indexes: [
    { name: 'risk_evaluations_created_idx', properties: ['createdAt'] },
    { name: 'risk_evaluations_rules_idx', expression: 'create index risk_evaluations_rules_idx on risk_evaluations using gin (rules)' },
  ],
});
export type RiskEvaluationRecord = InferEntity<typeof RiskEvaluationSchema>;

/** A movement held for review: decided once by an operator (approve: onward legs; reject: the money returns). */
export const RiskCaseSchema = defineEntity({
  name: 'RiskCase',
  tableName: 'risk_cases',
  properties: {
    id: p.uuid().primary(),
    evaluationId: p.manyToOne(RiskEvaluationSchema).mapToPk().fieldName('evaluation_id').deleteRule('no action').updateRule('no action'),
    transactionId: p.string().length(50).unique(),
    kind: p.string().length(10),
    payerAccountId: p.manyToOne(AccountSchema).mapToPk().fieldName('payer_account_id').deleteRule('no action').updateRule('no action'),
    counterpartyAccountId: p.manyToOne(AccountSchema).mapToPk().fieldName('counterparty_account_id').nullable().deleteRule('no action').updateRule('no action'),
    amount: money(),
    status: p.string().length(8).default('PENDING'),
    onward: p.json<unknown>(),
    decidedBy: p.string().nullable(),
    decidedAt: timestamp().nullable(),
    createdAt: timestampNow(),
  },
  checks: [
    { name: 'risk_cases_amount_check', expression: 'amount > 0' },
    { name: 'risk_cases_status_check', expression: `status in ('PENDING', 'APPROVED', 'REJECTED')` },
  ],
  indexes: [{ name: 'risk_cases_pending_idx', expression: `create index risk_cases_pending_idx on risk_cases (created_at) where status = 'PENDING'` }],
});
export type RiskCaseRecord = InferEntity<typeof RiskCaseSchema>;
