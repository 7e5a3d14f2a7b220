import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { ACCOUNT_STATUSES, type SystemAccountCode } from '../../../domain/wallet/account.ts';
import { ID_TYPES, KYC_TIERS } from '../../../domain/wallet/kyc.ts';
import { PAYMENT_METHODS, TRANSACTION_STATUSES, TRANSACTION_TYPES } from '../../../domain/ledger/transaction.ts';
import { UserSchema } from './identity.ts';
import { MerchantSchema } from './merchant.ts';
import { FREEZE_LEVELS } from '../../../domain/wallet/freeze.ts';
import { generatedUuid, money, timestamp, timestampNow } from './columns.ts';

export const AccountSchema = defineEntity({
  name: 'Account',
  tableName: 'accounts',
  properties: {
    id: generatedUuid(),
    // Exactly one owner: a customer (user_id), the bank (system_code) or a merchant (merchant_id).
    userId: p.manyToOne(UserSchema).mapToPk().fieldName('user_id').columnType('bigint').nullable().unique().deleteRule('no action'),
    balance: money().default('0.00'),
    currency: p.string().length(3).default('IDR'),
    accountStatus: p.enum(ACCOUNT_STATUSES).nativeEnumName('account_status').default('ACTIVE'),
    createdAt: timestampNow(),
    updatedAt: timestampNow(),
    systemCode: p.string().length(50).$type<SystemAccountCode>().nullable().unique(),
    merchantId: p.manyToOne(MerchantSchema).mapToPk().fieldName('merchant_id').nullable().unique().deleteRule('no action'),
    kycTier: p.enum(KYC_TIERS).nativeEnumName('kyc_tier').default('UNREGISTERED'),
    // An operator's freeze: all four set, or none (src/domain/wallet/freeze.ts).
    freezeLevel: p.enum(FREEZE_LEVELS).nativeEnumName('freeze_level').nullable(),
    freezeReason: p.string().length(500).nullable(),
    frozenAt: timestamp().nullable(),
    frozenBy: p.string().length(255).nullable(),
  },
  checks: [
    {
      name: 'accounts_freeze_complete',
      expression:
        '(freeze_level is null and freeze_reason is null and frozen_at is null and frozen_by is null) or (freeze_level is not null and freeze_reason is not null and frozen_at is not null and frozen_by is not null)',
    },
    // Only BANK_CAPITAL, the counterpart of FUNDING's opening, may go below zero.
    { name: 'accounts_balance_check', expression: `balance >= 0 or coalesce(system_code = 'BANK_CAPITAL', false)` },
    { name: 'accounts_owner_check', expression: 'num_nonnulls(user_id, system_code, merchant_id) = 1' },
  ],
});
export type AccountRecord = InferEntity<typeof AccountSchema>;

/** The verified identity document of a REGISTERED account, sealed by the application. */
export const AccountIdentitySchema = defineEntity({
  name: 'AccountIdentity',
  tableName: 'account_identities',
  properties: {
    accountId: p.manyToOne(AccountSchema).mapToPk().fieldName('account_id').primary().deleteRule('no action').updateRule('no action'),
    idType: p.enum(ID_TYPES).nativeEnumName('id_type'),
    idNumberSealed: p.text(),
    idNumberMasked: p.string().length(32),
    nameSealed: p.text().nullable(),
    verifiedBy: p.string(),
    verifiedAt: timestampNow(),
  },
});
export type AccountIdentityRecord = InferEntity<typeof AccountIdentitySchema>;

/** The customers' view of the ledger: one row per customer side of a movement. */
export const HistoricalTransactionSchema = defineEntity({
  name: 'HistoricalTransaction',
  tableName: 'historical_transactions',
  properties: {
    id: generatedUuid(),
    userId: p.manyToOne(UserSchema).mapToPk().fieldName('user_id'),
    accountId: p.manyToOne(AccountSchema).mapToPk().fieldName('account_id'),
    transactionId: p.string().length(50).unique(),
    transactionType: p.enum(TRANSACTION_TYPES).nativeEnumName('transaction_type'),
    transactionStatus: p.enum(TRANSACTION_STATUSES).nativeEnumName('transaction_status').default('PENDING'),
    amount: money(),
    balanceBefore: money(),
    balanceAfter: money(),
    currency: p.string().length(3).default('IDR'),
    description: p.text().nullable(),
    externalReference: p.string().nullable(),
    paymentMethod: p.enum(PAYMENT_METHODS).nativeEnumName('payment_method').nullable(),
    metadata: p.text().nullable(),
    isAccessibleExternal: p.boolean().default(true),
    createdAt: timestampNow(),
    updatedAt: timestampNow(),
    relatedTransactionId: p.string().length(50).nullable(),
  },
  indexes: [
    {
      name: 'historical_transactions_account_created_idx',
      expression: 'create index historical_transactions_account_created_idx on historical_transactions (account_id, created_at desc, id desc)',
    },
    {
      name: 'historical_transactions_user_created_idx',
      expression: 'create index historical_transactions_user_created_idx on historical_transactions (user_id, created_at desc, id desc)',
    },
    {
      name: 'historical_transactions_created_idx',
      expression: 'create index historical_transactions_created_idx on historical_transactions (created_at desc, id desc)',
    },
    {
      name: 'historical_transactions_related_idx',
      expression:
        'create index historical_transactions_related_idx on historical_transactions (related_transaction_id) where related_transaction_id is not null',
    },
    {
      name: 'historical_transactions_pending_topup_idx',
      expression: `create index historical_transactions_pending_topup_idx on historical_transactions (created_at) where transaction_status = 'PENDING' and transaction_type = 'TOPUP'`,
    },
  ],
});
export type HistoricalTransactionRecord = InferEntity<typeof HistoricalTransactionSchema>;

/** The append-only double-entry journal: signed amounts, the entries of a movement sum to zero. */
export const LedgerEntrySchema = defineEntity({
  name: 'LedgerEntry',
  tableName: 'ledger_entries',
  properties: {
    id: p.bigint('string').primary().autoincrement(),
    movementId: p.uuid(),
    accountId: p.manyToOne(AccountSchema).mapToPk().fieldName('account_id'),
    transactionId: p.string().length(50),
    // Signed: the side's movement (numeric(16,2), one digit more than a balance).
    amount: money('numeric(16,2)'),
    balanceBefore: money(),
    balanceAfter: money(),
    createdAt: timestampNow(),
  },
  checks: [
    { name: 'ledger_entries_amount_check', expression: 'amount <> 0' },
    { name: 'ledger_entries_check', expression: 'balance_after = balance_before + amount' },
  ],
  indexes: [
    { name: 'ledger_entries_account_idx', properties: ['accountId', 'id'] },
    { name: 'ledger_entries_movement_idx', properties: ['movementId'] },
  ],
});
export type LedgerEntryRecord = InferEntity<typeof LedgerEntrySchema>;

/** A movement the ledger refused by a limit or freeze rule (no personal data): the regulator report counts them by rule. */
export const MovementRefusalSchema = defineEntity({
  name: 'MovementRefusal',
  tableName: 'movement_refusals',
  properties: {
    id: p.bigint('string').primary().autoincrement(),
    rule: p.string().length(100),
    code: p.string().length(64),
    accountId: p.manyToOne(AccountSchema).mapToPk().fieldName('account_id').nullable().deleteRule('no action').updateRule('no action'),
    amount: money().nullable(),
    refusedAt: timestampNow(),
  },
  checks: [{ name: 'movement_refusals_amount_check', expression: 'amount > 0' }],
  indexes: [{ name: 'movement_refusals_refused_at', properties: ['refusedAt'] }],
});
export type MovementRefusalRecord = InferEntity<typeof MovementRefusalSchema>;
