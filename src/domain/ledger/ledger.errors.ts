import { DomainError } from '../shared/domain-error.ts';
import type { KycTier } from '../wallet/kyc.ts';
import { Money } from '../shared/money.ts';

export const LedgerErrors = {
  /** The message may say which transaction (a reconciliation case's top-up, a sandbox's top-up). */
  transactionNotFound: (message = 'transaction not found') => new DomainError('TRANSACTION_NOT_FOUND', 'not_found', message),
  notRefundable: (why: string) => new DomainError('TRANSACTION_NOT_REFUNDABLE', 'business_rule', why),
  refundExceedsPayment: (left: string) => new DomainError('REFUND_EXCEEDS_PAYMENT', 'business_rule', `refund exceeds what is left to refund (${left})`),
  amountBelowMinimum: (message: string, details?: DomainError['details']) => new DomainError('AMOUNT_BELOW_MINIMUM', 'invalid', message, details),
  amountAboveMaximum: (message: string, details?: DomainError['details']) => new DomainError('AMOUNT_ABOVE_MAXIMUM', 'invalid', message, details),
  invalidStatusTransition: (message: string) => new DomainError('INVALID_STATUS_TRANSITION', 'conflict', message),
  discrepancyNotFound: () => new DomainError('DISCREPANCY_NOT_FOUND', 'not_found', 'no such provider discrepancy case'),
  transactionNotFailed: (message: string) => new DomainError('TRANSACTION_NOT_FAILED', 'conflict', message),
};

/** An amount in a limit's message, as decimal text; a room below zero reads as zero. */
const rp = (minor: bigint) => Money.ofMinor(minor < 0n ? 0n : minor).toString();

/** Bank Indonesia's limits on an account, by KYC tier. */
/**
 * The refusals name the limit and what remains, in the message and as facts (meta.details):
 * `limit` is the rule's figure, `remaining` what the account may still receive under it.
 */
export const LimitErrors = {
  balanceLimit: (tier: KycTier, limit: bigint, room: bigint) =>
    new DomainError(
      'BALANCE_LIMIT_EXCEEDED',
      'business_rule',
      `the balance limit of a ${tier} account is ${rp(limit)} IDR; it can receive at most ${rp(room)} IDR more`,
      {
        facts: { rule: 'balance_limit', tier, limit: rp(limit), remaining: rp(room) },
      },
    ),
  monthlyLimit: (tier: KycTier, limit: bigint, room: bigint) =>
    new DomainError(
      'MONTHLY_LIMIT_EXCEEDED',
      'business_rule',
      `the monthly incoming limit of a ${tier} account is ${rp(limit)} IDR; ${rp(room)} IDR remains this month`,
      {
        facts: { rule: 'monthly_incoming_limit', tier, limit: rp(limit), remaining: rp(room) },
      },
    ),
  kycRequired: (tier: KycTier) =>
    new DomainError('KYC_REQUIRED', 'business_rule', 'transfers to other people need a REGISTERED account: have your identity verified', {
      facts: { rule: 'transfers_to_others', tier, required_tier: 'REGISTERED' },
    }),
};
