import { Money } from '../shared/money.ts';
import { DomainError } from '../shared/domain-error.ts';
import { assertAccountRule, type AccountRule, type AccountStatus } from '../wallet/account.ts';
import { WalletErrors } from '../wallet/wallet.errors.ts';
import { MerchantErrors } from '../merchant/merchant.ts';
import type { HistoryRow } from './ledger.repository.ts';
import type { KycTier } from '../wallet/kyc.ts';
import { assertMayReceive, assertMaySendToOthers, type KycLimits, type LimitState } from './limits.ts';
import { assertNotFrozen, freezeApplies, levelsRefusing, type AccountFreeze, type FreezeLevel } from '../wallet/freeze.ts';
import { markRefusal, ruleOf } from './refusal.ts';

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
  /** A debit that sends money to another person (a transfer, a top-up of someone else's e-wallet): needs a tier that may. */
  toOthers?: boolean;
  /** Whether a freeze of the account refuses this leg (default: its rule is 'active'; see freeze.ts). */
  freezable?: boolean;
}

export interface LockedAccount {
  id: string;
  userId: number | null;
  status: AccountStatus;
  balance: Money;
  kycTier?: KycTier;
  freeze?: Pick<AccountFreeze, 'level'> | null;
}

/**
 * Bank Indonesia's limits, with what the repository read under the same row locks: each
 * customer's incoming this month and money in flight towards it.
 */
export interface LimitPolicy {
  limits: KycLimits;
  state: ReadonlyMap<string, LimitState>;
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
  requires: { minBalance: bigint; status: AccountRule; notFrozenAt: FreezeLevel[] };
  /** The refusal when the balance or status is not what `requires` asks (a freeze: deferredRejection). */
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

export function planPosting(legs: readonly ResolvedLeg[], locked: ReadonlyMap<string, LockedAccount>, policy?: LimitPolicy): PostingPlan {
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
    counted(leg, () => {
      if (freezeApplies(leg)) assertNotFrozen(account.freeze, leg.delta, 'customer');
    });
    const afterMinor = account.balance.minor + leg.delta;
    if (afterMinor < (leg.floor ?? 0n) || afterMinor < 0n) throw WalletErrors.insufficientFunds();
    if (policy) {
      const tier = account.kycTier ?? 'UNREGISTERED';
      counted(leg, () => {
        if (leg.delta < 0n && leg.toOthers) assertMaySendToOthers(tier, policy.limits);
        // New incoming money ('active' credits) is checked; money owed back (a refund, a failed
        // top-up's release) is never refused: it was the customer's already.
        if (leg.delta > 0n && leg.rule === 'active')
          assertMayReceive(tier, policy.limits, account.balance.minor, leg.delta, policy.state.get(leg.accountId) ?? { incomingThisMonth: 0n, inFlight: 0n });
      });
    }
    decided.push({
      accountId: leg.accountId,
      delta: leg.delta,
      before: account.balance,
      after: Money.ofMinor(afterMinor),
      row: leg.row ?? null,
      userId: account.userId,
    });
  }
  const deferred: DeferredChange[] = legs
    .filter((l) => l.kind !== 'customer')
    .sort(byId)
    .map((l) => ({
      accountId: l.accountId,
      delta: l.delta,
      // Merchants can be frozen like customers; the bank's own accounts are not (nothing in freeze.ts applies to them).
      requires: {
        minBalance: l.floor !== undefined && l.floor > 0n ? l.floor : 0n,
        status: l.rule,
        notFrozenAt: l.kind === 'merchant' && freezeApplies(l) ? levelsRefusing(l.delta) : [],
      },
      rejection: rejectionOf(l),
    }));
  return { decided, deferred, journal: [...decided, ...deferred].map((c) => ({ accountId: c.accountId, delta: c.delta })) };
}

/**
 * A deferred side decided against the account's state, where the caller holds its lock (a batch
 * of movements locks every account it touches once, so the domain decides these sides too, against
 * the balance the batch's earlier movements left): the same requirement the conditional statement
 * enforces on its own, the same rejection.
 */
export function assertDeferred(change: DeferredChange, account: LockedAccount | undefined): void {
  if (!account) throw change.rejection;
  if (account.freeze && change.requires.notFrozenAt.includes(account.freeze.level)) throw deferredRejection(change, account.freeze.level);
  if (account.balance.minor + change.delta < change.requires.minBalance) throw change.rejection;
  const rule = change.requires.status;
  if ((rule === 'active' && account.status !== 'ACTIVE') || (rule === 'not_closed' && account.status === 'CLOSED')) throw change.rejection;
}

/**
 * Why a deferred side's conditional statement changed nothing, from the freeze level the account
 * has now: the freeze that applied, or the balance/status refusal decided beforehand.
 */
export function deferredRejection(change: DeferredChange, frozenAt: FreezeLevel | null): DomainError {
  if (frozenAt === null || !change.requires.notFrozenAt.includes(frozenAt)) return change.rejection;
  const err = WalletErrors.accountFrozen(frozenAt, change.delta < 0n ? 'payer' : 'payee', 'merchant');
  return markRefusal(err, { rule: ruleOf(err)!, accountId: change.accountId, amountMinor: change.delta < 0n ? -change.delta : change.delta });
}

/** Runs a rule's check; its refusal is marked with the leg's account and amount, for the refusal log. */
function counted(leg: ResolvedLeg, check: () => void): void {
  try {
    check();
  } catch (err) {
    const rule = err instanceof DomainError ? ruleOf(err) : null;
    if (rule) markRefusal(err as DomainError, { rule, accountId: leg.accountId, amountMinor: leg.delta < 0n ? -leg.delta : leg.delta });
    throw err;
  }
}
