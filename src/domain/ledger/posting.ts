import { Money } from '../shared/money.ts';
import type { DomainError } from '../shared/domain-error.ts';
import { assertAccountRule, type AccountRule, type AccountStatus } from '../wallet/account.ts';
import { WalletErrors } from '../wallet/wallet.errors.ts';
import { MerchantErrors } from '../merchant/merchant.ts';
import type { HistoryRow } from './ledger.repository.ts';

/**
 * The ledger's rules as one pure function: given the legs of a movement and the state of the
 * accounts it locked, decide the posting — every account's change, new balances, journal entries
 * and history rows — or refuse with a domain error. The repository only locks, loads, applies
 * what this decided, and writes.
 *
 * Two kinds of side, for the lock order and the hot rows:
 * - customers' accounts are locked (FOR UPDATE, ascending id) and decided here on their state;
 * - merchants' and the bank's system accounts are "deferred": changed last by one conditional
 *   statement each (balance + delta >= 0, the status the rule asks for), so a hot merchant or
 *   settlement row is held for one round trip, not the whole transaction. This function still
 *   decides what they must satisfy and which error a refusal is.
 */
export type OwnerKind = 'customer' | 'merchant' | 'system';

export interface ResolvedLeg {
  accountId: string;
  kind: OwnerKind;
  /** Signed change in minor units: negative debits, positive credits. */
  delta: bigint;
  rule: AccountRule;
  /** A customer's history row (merchant and system sides get journal entries only). */
  row?: HistoryRow;
  /** The lowest balance this leg may leave, in minor units (default 0; a merchant's payout reserve). */
  floor?: bigint;
}

export interface LockedAccount {
  id: string;
  userId: number | null;
  status: AccountStatus;
  balance: Money;
}

/** A locked customer's change, decided in full. */
export interface DecidedChange {
  accountId: string;
  delta: bigint;
  before: Money;
  after: Money;
  row: HistoryRow | null;
  userId: number | null;
}

/** A deferred side's change: applied only if the account still satisfies `requires`; else `rejection`. */
export interface DeferredChange {
  accountId: string;
  delta: bigint;
  requires: { minBalance: bigint; status: AccountRule };
  rejection: DomainError;
}

export interface PostingPlan {
  /** In the order they are applied: customers by id, then deferred sides by id. */
  decided: DecidedChange[];
  deferred: DeferredChange[];
  /** One journal entry per leg, in the same order (before/after of deferred sides come from the statement). */
  journal: { accountId: string; delta: bigint }[];
}

const byId = <T extends { accountId: string }>(a: T, b: T) => (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0);

export function legsBalance(legs: readonly { delta: bigint }[]): boolean {
  return legs.reduce((s, l) => s + l.delta, 0n) === 0n;
}

function rejectionOf(leg: ResolvedLeg): DomainError {
  const debit = leg.delta < 0n;
  if (leg.kind === 'merchant') return debit ? MerchantErrors.insufficientFunds() : MerchantErrors.notActive('not active');
  return debit ? WalletErrors.insufficientFunds() : WalletErrors.recipientNotActive();
}

export function planPosting(legs: readonly ResolvedLeg[], locked: ReadonlyMap<string, LockedAccount>): PostingPlan {
  if (legs.length < 2) throw new Error('a movement has at least two legs');
  if (legs.some((l) => l.delta === 0n)) throw new Error('a leg moves a non-zero amount');
  if (!legsBalance(legs)) throw new Error('the legs of a movement sum to zero');
  const ids = new Set(legs.map((l) => l.accountId));
  if (ids.size !== legs.length) throw WalletErrors.selfTransfer();

  const decided: DecidedChange[] = [];
  for (const leg of legs.filter((l) => l.kind === 'customer').sort(byId)) {
    const account = locked.get(leg.accountId);
    const side = leg.delta < 0n ? 'payer' : 'payee';
    if (!account) throw side === 'payer' ? WalletErrors.accountNotFound() : WalletErrors.recipientNotFound();
    assertAccountRule(account, leg.rule, side);
    const afterMinor = account.balance.minor + leg.delta;
    if (afterMinor < (leg.floor ?? 0n) || afterMinor < 0n) throw WalletErrors.insufficientFunds();
    decided.push({ accountId: leg.accountId, delta: leg.delta, before: account.balance, after: Money.ofMinor(afterMinor), row: leg.row ?? null, userId: account.userId });
  }
  const deferred: DeferredChange[] = legs
    .filter((l) => l.kind !== 'customer')
    .sort(byId)
    .map((l) => ({ accountId: l.accountId, delta: l.delta, requires: { minBalance: l.floor !== undefined && l.floor > 0n ? l.floor : 0n, status: l.rule }, rejection: rejectionOf(l) }));
  return { decided, deferred, journal: [...decided, ...deferred].map((c) => ({ accountId: c.accountId, delta: c.delta })) };
}
