import { Money } from '../../../domain/shared/money.ts';
import type { Account } from '../../../domain/wallet/account.ts';
import type { AccountRecord, HistoricalTransactionRecord } from '../schemas/index.ts';
import type { RawRow } from '../schemas/raw-row.ts';
import type { KycTier } from '../../../domain/wallet/kyc.ts';
import type { AccountFreeze, FreezeLevel } from '../../../domain/wallet/freeze.ts';
import type { LedgerTransaction } from '../../../domain/ledger/transaction.ts';

/** Raw rows as `pg` returns them (numerics as text, timestamps as Date), typed from the entity schemas. */
export type AccountRow = Omit<RawRow<AccountRecord>, 'user_id' | 'merchant_id' | 'kyc_tier' | 'freeze_level' | 'freeze_reason' | 'frozen_at' | 'frozen_by'> & {
  user_id: number | string | null;
  /** Absent from selects that list their own columns. */
  merchant_id?: string | null;
  /** Absent from selects that list their own columns. */
  kyc_tier?: KycTier;
  /** Absent from selects that list their own columns (then: not frozen). */
  freeze_level?: FreezeLevel | null;
  freeze_reason?: string | null;
  frozen_at?: Date | null;
  frozen_by?: string | null;
};

export type TransactionRow = Omit<RawRow<HistoricalTransactionRecord>, 'is_accessible_external'>;

/** Every column of an account, as the ledger and the account repository read it. */
export const ACCOUNT_COLUMN_NAMES = [
  'id',
  'user_id',
  'system_code',
  'merchant_id',
  'balance',
  'currency',
  'account_status',
  'kyc_tier',
  'freeze_level',
  'freeze_reason',
  'frozen_at',
  'frozen_by',
  'created_at',
  'updated_at',
] as const;
export const ACCOUNT_COLUMNS = ACCOUNT_COLUMN_NAMES.join(', ');

/** The freeze columns of an account row (migration 20261201232000-account-freezes: all four set, or none). */
export function toFreeze(r: Pick<AccountRow, 'freeze_level' | 'freeze_reason' | 'frozen_at' | 'frozen_by'>): AccountFreeze | null {
  return r.freeze_level ? { level: r.freeze_level, reason: r.freeze_reason ?? '', frozenAt: new Date(r.frozen_at!), frozenBy: r.frozen_by ?? '' } : null;
}

export function toAccount(r: AccountRow): Account {
  return {
    id: r.id,
    userId: r.user_id === null ? null : Number(r.user_id),
    systemCode: r.system_code as Account['systemCode'],
    merchantId: r.merchant_id ?? null,
    balance: Money.parse(String(r.balance)),
    currency: 'IDR',
    status: r.account_status,
    kycTier: r.kyc_tier ?? 'UNREGISTERED',
    freeze: toFreeze(r),
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  };
}

function parseMetadata(text: string | null): Record<string, unknown> | null {
  if (!text) return null;
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : { value: v };
  } catch {
    return { text };
  }
}

export function toTransaction(r: TransactionRow): LedgerTransaction {
  return {
    id: r.id,
    userId: Number(r.user_id),
    accountId: r.account_id,
    transactionId: r.transaction_id,
    type: r.transaction_type,
    status: r.transaction_status,
    amount: Money.parse(String(r.amount)),
    balanceBefore: Money.parse(String(r.balance_before)),
    balanceAfter: Money.parse(String(r.balance_after)),
    currency: 'IDR',
    description: r.description,
    externalReference: r.external_reference,
    paymentMethod: r.payment_method,
    metadata: parseMetadata(r.metadata),
    relatedTransactionId: r.related_transaction_id,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  };
}

/** What the transaction service's consumer needs to build its read models. */
export function transactionEventPayload(t: LedgerTransaction, previousStatus?: string): Record<string, unknown> {
  return {
    id: t.id,
    transaction_id: t.transactionId,
    account_id: t.accountId,
    user_id: t.userId,
    type: t.type,
    status: t.status,
    ...(previousStatus ? { previous_status: previousStatus } : {}),
    amount: t.amount.toString(),
    balance_before: t.balanceBefore.toString(),
    balance_after: t.balanceAfter.toString(),
    currency: t.currency,
    payment_method: t.paymentMethod,
    description: t.description,
    external_reference: t.externalReference,
    related_transaction_id: t.relatedTransactionId,
    metadata: t.metadata,
    is_accessible_external: true,
    created_at: t.createdAt.toISOString(),
    updated_at: t.updatedAt.toISOString(),
  };
}
