import type { KycTier } from '../wallet/kyc.ts';
import { LimitErrors } from './ledger.errors.ts';

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

/** Kept here too for the callers that import it from this file; the constructors live in ledger.errors.ts. */
export { LimitErrors };

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
