import type { Money } from '../shared/money.ts';
import { WalletErrors } from './wallet.errors.ts';
import type { KycTier } from './kyc.ts';
import type { PaymentMethod } from '../ledger/transaction.ts';
import type { AccountFreeze } from './freeze.ts';

/** The account_status enum (merchants reuse it, src/domain/merchant/merchant.ts). */
export const ACCOUNT_STATUSES = ['ACTIVE', 'SUSPENDED', 'CLOSED'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

/**
 * An IDR account with exactly one owner: a customer (userId), a merchant (merchantId) or the bank
 * itself (systemCode, the bank's side).
 */
export interface Account {
  id: string;
  userId: number | null;
  systemCode: SystemAccountCode | null;
  /** Set on a merchant's account (optional so literals of customer accounts need not spell it). */
  merchantId?: string | null;
  balance: Money;
  currency: 'IDR';
  status: AccountStatus;
  /** The KYC tier (absent in literals of accounts that predate tiers: read as UNREGISTERED). */
  kycTier?: KycTier;
  /** An operator's freeze, if any (absent in literals: not frozen). */
  freeze?: AccountFreeze | null;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * The bank's own accounts (created by the payment-ledger and merchants migrations). Money moves
 * between customers, merchants and these, so the sum over all accounts stays constant.
 * MERCHANT_SETTLEMENT held every merchant's money before merchants had accounts of their own (the
 * merchants migration carved it out); FEE_REVENUE is the platform's MDR income; PAYOUT_SETTLEMENT
 * holds merchant payouts on their way to the bank (what we owe the disbursement provider).
 * BANK_CAPITAL is the counterpart of FUNDING's opening movement (the float the bank paid in, so
 * below zero); no flow moves money from or to it (migration 20261201202900-topology-funding-opening).
 * RISK_HOLD holds the money of movements the fraud rules held for an operator's review (the payer's
 * debit, until approved onward or returned: migration 20261201232500-risk-rules).
 */
export const SYSTEM_ACCOUNTS = [
  'FUNDING',
  'GOPAY_SETTLEMENT',
  'SHOPEE_PAY_SETTLEMENT',
  'MERCHANT_SETTLEMENT',
  'FEE_REVENUE',
  'PAYOUT_SETTLEMENT',
  'BANK_CAPITAL',
  'RISK_HOLD',
] as const;
export type SystemAccountCode = (typeof SYSTEM_ACCOUNTS)[number];

export const settlementAccountOf = (method: PaymentMethod): SystemAccountCode => (method === 'GOPAY' ? 'GOPAY_SETTLEMENT' : 'SHOPEE_PAY_SETTLEMENT');

/**
 * What each side of a movement must be:
 * - 'active': only an ACTIVE account moves money (a debit, or a credit the customer initiated);
 * - 'not_closed': money owed back (a refund) still reaches a SUSPENDED account, not a CLOSED one;
 * - 'any': money that must be released whatever happened since (a failed top-up).
 */
export type AccountRule = 'active' | 'not_closed' | 'any';

export function assertAccountRule(account: Pick<Account, 'status'>, rule: AccountRule, side: 'payer' | 'payee'): void {
  if (rule === 'any') return;
  if (rule === 'not_closed' && account.status !== 'CLOSED') return;
  if (account.status === 'ACTIVE') return;
  throw side === 'payer' ? WalletErrors.accountNotActive(account.status) : WalletErrors.recipientNotActive();
}

/** Which status changes an operator may make. */
const STATUS_CHANGES: Record<AccountStatus, AccountStatus[]> = {
  ACTIVE: ['SUSPENDED', 'CLOSED'],
  SUSPENDED: ['ACTIVE', 'CLOSED'],
  CLOSED: [],
};

export function assertStatusChange(from: AccountStatus, to: AccountStatus): void {
  if (!STATUS_CHANGES[from].includes(to)) throw WalletErrors.statusChangeNotAllowed(from, to);
}
