import { DomainError } from '../shared/domain-error.ts';
import type { Money } from '../shared/money.ts';
import type { Leg } from '../ledger/ledger.repository.ts';
import type { SettlementBankAccount } from '../merchant/merchant.ts';

export const PAYOUT_STATUSES = ['PENDING', 'SUCCESS', 'FAILED'] as const;
export type PayoutStatus = (typeof PAYOUT_STATUSES)[number];

/** A payout of a merchant's balance to its bank account. */
export interface Payout {
  reference: string;
  merchantId: string;
  merchantCode: string;
  merchantAccountId: string;
  amount: Money;
  status: PayoutStatus;
  bankAccount: SettlementBankAccount;
  providerReference: string | null;
  failureReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const PAYOUT_REFERENCE = /^PO-[A-Z0-9-]{1,40}$/;

/** The journal reference of the movement that returns a failed payout's money. */
export const returnReferenceOf = (reference: string): string => `${reference}:RETURN`;

export const PayoutErrors = {
  noBankAccount: () => new DomainError('MERCHANT_NO_BANK_ACCOUNT', 'business_rule', 'the merchant has no settlement bank account'),
  nothingToPay: () => new DomainError('NOTHING_TO_PAY_OUT', 'business_rule', 'the merchant has no balance to pay out'),
  notFound: () => new DomainError('PAYOUT_NOT_FOUND', 'not_found', 'payout not found'),
  invalidReference: () => new DomainError('INVALID_PAYOUT_REFERENCE', 'invalid', 'a payout reference is PO- then up to 40 of A-Z, 0-9, -'),
  referenceReused: () => new DomainError('PAYOUT_REFERENCE_REUSED', 'conflict', 'this payout reference was used for another merchant or amount'),
};

/** Out: merchant −amount (never below its payout reserve), PAYOUT_SETTLEMENT +amount (the money in flight to the bank). */
export function payoutLegs(merchantAccountId: string, amount: Money, reserve: Money): Leg[] {
  return [
    // 'any' status (a suspended merchant is still paid what it is owed), but a DEBIT or ALL freeze stops a new payout.
    { account: { merchantAccountId }, delta: -amount.minor, rule: 'any', floor: reserve.minor, freezable: true },
    { account: { system: 'PAYOUT_SETTLEMENT' }, delta: amount.minor, rule: 'any' },
  ];
}

/** Back, once, when the bank says FAILED: PAYOUT_SETTLEMENT −amount, merchant +amount (whatever its status: it is its money). */
export function payoutReturnLegs(merchantAccountId: string, amount: Money): Leg[] {
  return [
    { account: { system: 'PAYOUT_SETTLEMENT' }, delta: -amount.minor, rule: 'any' },
    { account: { merchantAccountId }, delta: amount.minor, rule: 'any' },
  ];
}
