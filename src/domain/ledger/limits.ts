import { Money } from '../shared/money.ts';
import { DomainError } from '../shared/domain-error.ts';
import type { KycTier } from '../wallet/kyc.ts';

/**
 * Bank Indonesia's e-money limits per KYC tier (PBI 20/6/PBI/2018 on electronic money, art. 41
 * as revised in 2022; the figures are configuration, these are the defaults):
 * - the balance an account may hold: Rp2,000,000 unregistered, Rp20,000,000 registered;
 * - the total incoming per calendar month (Asia/Jakarta): Rp40,000,000 registered (2022 revision),
 *   a configurable figure for unregistered (default Rp20,000,000, the 2018 figure);
 * - transfers to other people only from registered accounts (unregistered may receive, pay
 *   merchants and top up their own e-wallet).
 * They apply to customers' accounts only: the bank's system accounts and merchants' have none.
 */
export interface TierLimits {
  /** Minor units. */
  maxBalance: bigint;
  /** Minor units of incoming money per calendar month. */
  monthlyIncoming: bigint;
  transfersToOthers: boolean;
}
export type KycLimits = Record<KycTier, TierLimits>;

export const DEFAULT_KYC_LIMITS: KycLimits = {
  UNREGISTERED: { maxBalance: 2_000_000_00n, monthlyIncoming: 20_000_000_00n, transfersToOthers: false },
  REGISTERED: { maxBalance: 20_000_000_00n, monthlyIncoming: 40_000_000_00n, transfersToOthers: true },
};

/** What the ledger read under the account's row lock, besides its balance. */
export interface LimitState {
  /** Incoming money this calendar month (Asia/Jakarta) already booked, minor units. */
  incomingThisMonth: bigint;
  /**
   * Money that may still arrive without a new check (pending top-ups whose failure releases the
   * amount back): counted as if it had, so no interleaving can end above the balance limit.
   */
  inFlight: bigint;
}

const rp = (minor: bigint) => Money.ofMinor(minor < 0n ? 0n : minor).toString();

/**
 * The refusals name the limit and what remains, in the message and as facts (meta.details):
 * `limit` is the rule's figure, `remaining` what the account may still receive under it.
 */
export const LimitErrors = {
  balanceLimit: (tier: KycTier, limit: bigint, room: bigint) =>
    new DomainError('BALANCE_LIMIT_EXCEEDED', 'business_rule', `the balance limit of a ${tier} account is ${rp(limit)} IDR; it can receive at most ${rp(room)} IDR more`, {
      facts: { rule: 'balance_limit', tier, limit: rp(limit), remaining: rp(room) },
    }),
  monthlyLimit: (tier: KycTier, limit: bigint, room: bigint) =>
    new DomainError('MONTHLY_LIMIT_EXCEEDED', 'business_rule', `the monthly incoming limit of a ${tier} account is ${rp(limit)} IDR; ${rp(room)} IDR remains this month`, {
      facts: { rule: 'monthly_incoming_limit', tier, limit: rp(limit), remaining: rp(room) },
    }),
  kycRequired: (tier: KycTier) =>
    new DomainError('KYC_REQUIRED', 'business_rule', 'transfers to other people need a REGISTERED account: have your identity verified', {
      facts: { rule: 'transfers_to_others', tier, required_tier: 'REGISTERED' },
    }),
};

/** Refuses a debit that sends money to someone else from an account whose tier may not. */
export function assertMaySendToOthers(tier: KycTier, limits: KycLimits): void {
  if (!limits[tier].transfersToOthers) throw LimitErrors.kycRequired(tier);
}

/** Refuses a credit of `amount` (minor units, > 0) that would break the tier's balance or monthly limit. */
export function assertMayReceive(tier: KycTier, limits: KycLimits, balance: bigint, amount: bigint, state: LimitState): void {
  const l = limits[tier];
  const balanceRoom = l.maxBalance - balance - state.inFlight;
  if (amount > balanceRoom) throw LimitErrors.balanceLimit(tier, l.maxBalance, balanceRoom);
  const monthRoom = l.monthlyIncoming - state.incomingThisMonth;
  if (amount > monthRoom) throw LimitErrors.monthlyLimit(tier, l.monthlyIncoming, monthRoom);
}

/** What remains to a tier this month and under its balance limit (for the account page). */
export function remaining(tier: KycTier, limits: KycLimits, balance: bigint, state: LimitState): { balance: bigint; monthlyIncoming: bigint } {
  const l = limits[tier];
  const clamp = (v: bigint) => (v < 0n ? 0n : v);
  return { balance: clamp(l.maxBalance - balance - state.inFlight), monthlyIncoming: clamp(l.monthlyIncoming - state.incomingThisMonth) };
}

/** The first instant of the calendar month in Asia/Jakarta (UTC+7, no daylight saving) containing `now`. */
export function jakartaMonthStart(now: Date): Date {
  const local = new Date(now.getTime() + 7 * 3600_000);
  return new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), 1) - 7 * 3600_000);
}
