import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { MERCHANT_CATEGORIES, MERCHANT_STATUSES, type MerchantCategory } from '../../../domain/merchant/merchant.ts';
import { PAYOUT_STATUSES, type PayoutStatus } from '../../../domain/disbursement/payout.ts';
import { generatedUuid, money, sqlList, timestamp, timestampNow } from './columns.ts';

export const MerchantSchema = defineEntity({
  name: 'Merchant',
  tableName: 'merchants',
  properties: {
    id: generatedUuid(),
    code: p.string().length(64).unique(),
    name: p.string(),
    category: p.string().length(20).$type<MerchantCategory>(),
    // The merchant's status is its account's: the same account_status enum.
    status: p.enum(MERCHANT_STATUSES).nativeEnumName('account_status').default('ACTIVE'),
    bankCode: p.string().length(20).nullable(),
    bankAccountNumber: p.string().length(34).nullable(),
    bankAccountHolder: p.string().nullable(),
    feeBps: p.integer().nullable(),
    createdAt: timestampNow(),
    updatedAt: timestampNow(),
    payoutReserve: money().default('0.00'),
  },
  checks: [
    { name: 'merchants_code_check', expression: `code ~ '^[A-Za-z0-9_.:-]+$'` },
    { name: 'merchants_category_check', expression: `category in (${sqlList(MERCHANT_CATEGORIES)})` },
    { name: 'merchants_fee_bps_check', expression: 'fee_bps >= 0 and fee_bps <= 10000' },
    { name: 'merchants_bank_account_check', expression: 'num_nulls(bank_code, bank_account_number, bank_account_holder) in (0, 3)' },
    { name: 'merchants_payout_reserve_check', expression: 'payout_reserve >= 0' },
  ],
});
export type MerchantRecord = InferEntity<typeof MerchantSchema>;

export const MerchantPayoutSchema = defineEntity({
  name: 'MerchantPayout',
  tableName: 'merchant_payouts',
  properties: {
    reference: p.string().length(50).primary(),
    merchantId: p.manyToOne(MerchantSchema).mapToPk().fieldName('merchant_id'),
    amount: money(),
    status: p.string().length(10).$type<PayoutStatus>().default('PENDING'),
    bankCode: p.string().length(20),
    bankAccountNumber: p.string().length(34),
    bankAccountHolder: p.string(),
    providerReference: p.string().length(100).nullable(),
    failureReason: p.text().nullable(),
    createdAt: timestampNow(),
    updatedAt: timestampNow(),
    // The payout checker's claim and back-off (migration 20261201230857-payout-checks).
    checks: p.integer().default(0),
    nextCheckAt: timestampNow(),
    checkLeaseToken: p.uuid().nullable(),
    checkLeaseUntil: timestamp().nullable(),
  },
  checks: [
    { name: 'merchant_payouts_amount_check', expression: 'amount > 0' },
    { name: 'merchant_payouts_checks_check', expression: 'checks >= 0' },
    { name: 'merchant_payouts_status_check', expression: `status in (${sqlList(PAYOUT_STATUSES)})` },
  ],
  indexes: [
    { name: 'merchant_payouts_merchant_idx', properties: ['merchantId', 'createdAt'] },
    { name: 'merchant_payouts_pending_idx', expression: `create index merchant_payouts_pending_idx on merchant_payouts (created_at) where status = 'PENDING'` },
  ],
});
export type MerchantPayoutRecord = InferEntity<typeof MerchantPayoutSchema>;
