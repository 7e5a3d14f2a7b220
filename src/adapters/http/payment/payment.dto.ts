import { z } from 'zod';
import type { Account } from '../../../domain/wallet/account.ts';
import type { LedgerTransaction } from '../../../domain/ledger/transaction.ts';
import { accountStatus, currency, moneyString, paymentMethod, timestamp, transactionStatus, transactionType, uuid } from '../schemas.ts';
import type { MaskedRecipient } from '../../../domain/wallet/recipient.ts';
import { MERCHANT_CATEGORIES, MERCHANT_STATUSES } from '../../../domain/merchant/merchant.ts';
import { KYC_TIERS } from '../../../domain/wallet/kyc.ts';
import { FREEZE_LEVELS } from '../../../domain/wallet/freeze.ts';
import { Money } from '../../../domain/shared/money.ts';
import type { LimitsView } from '../../../application/payment/get-account/get-account-limits.query.ts';

/** The API's snake_case shapes; amounts as "10000.00". Each schema is what the OpenAPI document says. */
export const TransactionSchema = z
  .strictObject({
    id: uuid,
    transaction_id: z.string().describe('the business id (TRX-…), also the key a provider knows a top-up by'),
    transaction_type: transactionType,
    transaction_status: transactionStatus,
    amount: moneyString,
    balance_before: moneyString,
    balance_after: moneyString,
    currency,
    payment_method: paymentMethod.nullable(),
    description: z.string().nullable(),
    external_reference: z.string().nullable().describe("the provider's reference of a top-up"),
    related_transaction_id: z.string().nullable().describe('the transaction this one refunds or mirrors'),
    metadata: z.record(z.string(), z.unknown()).nullable(),
    merchant_id: z.string().optional().describe('PAYMENT rows: the merchant paid'),
    merchant_name: z.string().optional().describe("PAYMENT rows: the merchant's name"),
    gross_amount: moneyString.optional().describe('PAYMENT rows: what the payer paid'),
    fee_amount: moneyString.optional().describe('PAYMENT rows: the MDR the merchant bears'),
    net_amount: moneyString.optional().describe('PAYMENT rows: what the merchant received (gross − fee)'),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({
    id: 'Transaction',
    description: "One row of the caller's ledger, as the payment service answers it.",
    examples: [
      {
        id: '0b7d3f5c-6a55-4a43-9c4e-2f0f8f7a9d10',
        transaction_id: 'TRX-20261201-4F2A9C1B7E',
        transaction_type: 'TOPUP',
        transaction_status: 'SUCCESS',
        amount: '50000.00',
        balance_before: '150000.00',
        balance_after: '100000.00',
        currency: 'IDR',
        payment_method: 'GOPAY',
        description: 'top up my GoPay',
        external_reference: 'GP-8f1c2d3e4b5a',
        related_transaction_id: null,
        metadata: { phone_number: '+6281234567890' },
        created_at: '2026-12-01T08:15:30.123Z',
        updated_at: '2026-12-01T08:15:31.456Z',
      },
    ],
  });
export type TransactionDto = z.output<typeof TransactionSchema>;

export const LimitsSchema = z
  .strictObject({
    max_balance: moneyString.describe('the most this tier may hold'),
    monthly_incoming: moneyString.describe('the most this tier may receive per calendar month (Asia/Jakarta)'),
    transfers_to_others: z.boolean().describe('whether this tier may send money to other people (KYC_REQUIRED otherwise)'),
    remaining: z.strictObject({
      balance: moneyString.describe('what the account may still receive before the balance limit (pending top-ups counted)'),
      monthly_incoming: moneyString.describe('what it may still receive this month'),
    }),
  })
  .meta({
    id: 'KycLimits',
    description: "Bank Indonesia's e-money limits of the account's KYC tier (PBI 20/6/PBI/2018 as revised in 2022) and what remains under them.",
  });

export const FreezeSchema = z
  .strictObject({
    level: z.enum(FREEZE_LEVELS).describe('DEBIT: no money leaves; CREDIT: no new money comes in; ALL: both (refunds and released top-ups still arrive)'),
    frozen_at: timestamp,
  })
  .meta({
    id: 'AccountFreeze',
    description: "An operator's freeze of the account: movements it covers are refused with 403 ACCOUNT_FROZEN. The reason is for operators only.",
  });

export const AccountSchema = z
  .strictObject({
    id: uuid,
    user_id: z.number().int().nullable(),
    balance: moneyString,
    currency,
    account_status: accountStatus,
    kyc_tier: z.enum(KYC_TIERS).describe("UNREGISTERED until an operator verified the holder's identity, then REGISTERED"),
    limits: LimitsSchema.optional().describe("GET /api/payment/account: the tier's limits and what remains"),
    freeze: FreezeSchema.nullable().describe('null unless an operator froze the account'),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({
    id: 'Account',
    examples: [
      {
        id: '5d3c1e0a-2b4f-4e6a-8c9d-0e1f2a3b4c5d',
        user_id: 42,
        balance: '150000.00',
        currency: 'IDR',
        account_status: 'ACTIVE',
        kyc_tier: 'REGISTERED',
        freeze: null,
        created_at: '2026-11-02T03:04:05.000Z',
        updated_at: '2026-12-01T08:15:31.456Z',
      },
    ],
  });
export type AccountDto = z.output<typeof AccountSchema>;

export const MerchantProfileSchema = z
  .strictObject({ code: z.string(), name: z.string(), category: z.enum(MERCHANT_CATEGORIES), status: z.enum(MERCHANT_STATUSES) })
  .meta({
    id: 'MerchantProfile',
    description: 'What a payer may see of a merchant before paying: nothing about its money or bank account.',
    examples: [{ code: 'TOKO-DEMO', name: 'Toko Demo', category: 'REGULAR', status: 'ACTIVE' }],
  });

export const BalanceSchema = z.strictObject({ balance: moneyString, currency }).meta({ id: 'Balance', examples: [{ balance: '150000.00', currency: 'IDR' }] });

export const WalletBalanceSchema = z
  .strictObject({ provider: paymentMethod, balance: moneyString, currency, account_number: z.string(), last_updated: timestamp })
  .meta({
    id: 'WalletBalance',
    description: 'The e-wallet as its provider reports it.',
    examples: [{ provider: 'GOPAY', balance: '250000.00', currency: 'IDR', account_number: '6281234567890', last_updated: '2026-12-01T08:15:30.000Z' }],
  });

export const WebhookAckSchema = z
  .strictObject({ reference: z.string(), applied: z.boolean().describe('false for a duplicate or a notification about a settled top-up'), status: z.string() })
  .meta({ id: 'WebhookAck', examples: [{ reference: 'TRX-20261201-4F2A9C1B7E', applied: true, status: 'SUCCESS' }] });

export function transactionDto(t: LedgerTransaction): TransactionDto {
  return {
    id: t.id,
    transaction_id: t.transactionId,
    transaction_type: t.type,
    transaction_status: t.status,
    amount: t.amount.toString(),
    balance_before: t.balanceBefore.toString(),
    balance_after: t.balanceAfter.toString(),
    currency: t.currency,
    payment_method: t.paymentMethod,
    description: t.description,
    external_reference: t.externalReference,
    related_transaction_id: t.relatedTransactionId,
    metadata: t.metadata,
    ...feeSplitOf(t),
    created_at: t.createdAt.toISOString(),
    updated_at: t.updatedAt.toISOString(),
  };
}

/** A merchant payment's split, from the row's metadata: what the payer paid, the MDR, what the merchant got. */
function feeSplitOf(t: LedgerTransaction): Pick<TransactionDto, 'merchant_id' | 'merchant_name' | 'gross_amount' | 'fee_amount' | 'net_amount'> {
  const m = t.metadata;
  if (t.type !== 'PAYMENT' || !m || typeof m.fee !== 'string' || typeof m.net !== 'string') return {};
  return {
    merchant_id: typeof m.merchant_id === 'string' ? m.merchant_id : undefined,
    merchant_name: typeof m.merchant_name === 'string' ? m.merchant_name : undefined,
    gross_amount: t.amount.toString(),
    fee_amount: m.fee,
    net_amount: m.net,
  };
}

export function accountDto(a: Account): AccountDto {
  return {
    id: a.id,
    user_id: a.userId,
    balance: a.balance.toString(),
    currency: a.currency,
    account_status: a.status,
    kyc_tier: a.kycTier ?? 'UNREGISTERED',
    freeze: a.freeze ? { level: a.freeze.level, frozen_at: a.freeze.frozenAt.toISOString() } : null,
    created_at: a.createdAt.toISOString(),
    updated_at: a.updatedAt.toISOString(),
  };
}

export const RecipientSchema = z
  .strictObject({
    account_id: uuid,
    username: z.string().describe('masked: the first two and last two characters'),
    phone: z.string().describe('masked: +62812****7890'),
  })
  .meta({
    id: 'Recipient',
    description: 'Whom a transfer pays, masked: enough to recognise them, not to learn their data.',
    examples: [{ account_id: '5d3c1e0a-2b4f-4e6a-8c9d-0e1f2a3b4c5e', username: 'bu****di', phone: '+62812****7890' }],
  });

/** Whom a transfer pays, masked (username and phone): `{ account_id, username, phone }`. */
export function recipientDto(r: MaskedRecipient): z.output<typeof RecipientSchema> {
  return { account_id: r.accountId, username: r.username, phone: r.phone };
}

/** A transfer's answer: the sender's row and whom it paid. */
export const TransferSchema = TransactionSchema.extend({ recipient: RecipientSchema }).meta({
  id: 'Transfer',
  description: "The sender's TRANSFER row and `recipient`, whom it paid, masked.",
  examples: [
    {
      ...(z.globalRegistry.get(TransactionSchema)?.examples as z.output<typeof TransactionSchema>[])[0]!,
      transaction_type: 'TRANSFER',
      payment_method: null,
      external_reference: null,
      description: 'dinner',
      related_transaction_id: 'TRX-20261201-9C8B7A6D5E',
      metadata: { direction: 'OUT', counterparty_account_id: '5d3c1e0a-2b4f-4e6a-8c9d-0e1f2a3b4c5e', counterparty_username: 'budi' },
      recipient: { account_id: '5d3c1e0a-2b4f-4e6a-8c9d-0e1f2a3b4c5e', username: 'bu****di', phone: '+62812****7890' },
    },
  ],
});

/** The tier's limits and what remains. */
export function limitsDto(v: LimitsView): z.output<typeof LimitsSchema> {
  const rp = (minor: bigint) => Money.ofMinor(minor).toString();
  return {
    max_balance: rp(v.limits.maxBalance),
    monthly_incoming: rp(v.limits.monthlyIncoming),
    transfers_to_others: v.limits.transfersToOthers,
    remaining: { balance: rp(v.remaining.balance), monthly_incoming: rp(v.remaining.monthlyIncoming) },
  };
}
