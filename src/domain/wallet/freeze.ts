import type { AccountRule } from './account.ts';
import { WalletErrors } from './wallet.errors.ts';

/**
 * Operators' freezes (issue 15), distinct from an account's status: a SUSPENDED or CLOSED account
 * is out of use, a frozen one is in use but refuses what its freeze covers, typically while a
 * suspicion (fraud, a court order, an AML alert) is looked into.
 * - DEBIT: no money leaves (a customer's transfers out, payments, top-ups; a merchant's payouts);
 * - CREDIT: no new money comes in (transfers in, operator credits; payments to a merchant);
 * - ALL: both.
 * The one list of levels: the database enum is created from it.
 *
 * What a freeze never refuses (decided once, here): money going back where it came from, and
 * corrections. A failed top-up's release and a reconciliation refund ('any'), a refund of a
 * payment into the payer ('not_closed') and a failed payout's return to the merchant all pass:
 * the money was the holder's already, and refusing it would leave it with the provider or the
 * merchant. A refund out of a DEBIT-frozen merchant passes too: it is an operator's decision that
 * gives payers their money back, which is what a freeze on a suspect merchant is for. A payout
 * already sent to the bank before the freeze is not recalled; a new one is refused.
 */
export const FREEZE_LEVELS = ['DEBIT', 'CREDIT', 'ALL'] as const;
export type FreezeLevel = (typeof FREEZE_LEVELS)[number];

export interface AccountFreeze {
  level: FreezeLevel;
  /** Why, in the operator's words: shown to operators only, never to the holder or the other party. */
  reason: string;
  frozenAt: Date;
  frozenBy: string;
}

/** Whether a freeze at `level` refuses a movement in that direction (a debit or a credit of the account). */
export function freezeRefuses(level: FreezeLevel, direction: 'debit' | 'credit'): boolean {
  return level === 'ALL' || (level === 'DEBIT') === (direction === 'debit');
}

/** The levels that refuse a change of this sign (for the conditional statement of a deferred side). */
export function levelsRefusing(delta: bigint): FreezeLevel[] {
  return FREEZE_LEVELS.filter((l) => freezeRefuses(l, delta < 0n ? 'debit' : 'credit'));
}

/**
 * Whether freezes apply to a leg at all: by default exactly the legs under the 'active' rule (money
 * the holder moves, new money in); releases, refunds and corrections are exempt (see above). A leg
 * may say so explicitly (a merchant's payout is 'any' for the status, but a freeze stops it).
 */
export function freezeApplies(leg: { rule: AccountRule; freezable?: boolean }): boolean {
  return leg.freezable ?? leg.rule === 'active';
}

/** Refuses a change of `delta` on an account frozen at a level that covers it (the payer side is the debited one). */
export function assertNotFrozen(freeze: Pick<AccountFreeze, 'level'> | null | undefined, delta: bigint, owner: 'customer' | 'merchant'): void {
  if (freeze && freezeRefuses(freeze.level, delta < 0n ? 'debit' : 'credit'))
    throw WalletErrors.accountFrozen(freeze.level, delta < 0n ? 'payer' : 'payee', owner);
}

/** Checks what an operator typed: a level of the list and a reason (printable, at most 500 characters). */
export function parseFreeze(input: { level: string; reason: string }): { level: FreezeLevel; reason: string } {
  const level = input.level.trim().toUpperCase();
  if (!(FREEZE_LEVELS as readonly string[]).includes(level)) throw WalletErrors.invalidFreeze('level', `level must be one of ${FREEZE_LEVELS.join(', ')}`);
  const reason = input.reason.trim();
  if (!reason || reason.length > 500 || /[\p{Cc}]/u.test(reason))
    throw WalletErrors.invalidFreeze('reason', 'a reason is required: at most 500 printable characters');
  return { level: level as FreezeLevel, reason };
}
