import type { DomainError } from '../shared/domain-error.ts';

/**
 * A movement refused by a rule the regulator counts (Bank Indonesia's limits, freezes, fraud
 * rules): which rule, its error code, the account it applied to and the amount, never personal
 * data. The ledger marks its refusals with these facts; whoever sees the error after the
 * movement's transaction rolled back records them (application/ports/refusal-log.ts).
 */
export interface Refusal {
  /** A stable rule name: `kyc.balance_limit`, `freeze.DEBIT`, `fds.velocity`, … */
  rule: string;
  code: string;
  accountId: string | null;
  /** Minor units, positive; null when the rule refused before an amount was known. */
  amountMinor: bigint | null;
}

// Kept beside the error, not in it: the account id is the other party's on a transfer, and the
// error's own fields go to the client.
const marks = new WeakMap<DomainError, Refusal>();

/** Marks `err` as a counted refusal and returns it (to throw). */
export function markRefusal(err: DomainError, refusal: Omit<Refusal, 'code'>): DomainError {
  marks.set(err, { ...refusal, code: err.code });
  return err;
}

/** The refusal an error was marked with, if it is one the regulator counts. */
export function refusalOf(err: unknown): Refusal | undefined {
  return typeof err === 'object' && err !== null ? marks.get(err as DomainError) : undefined;
}

/** The rule name of a limit or freeze refusal, from the facts its error carries. */
export function ruleOf(err: DomainError): string | null {
  const facts = err.details?.facts;
  if (!facts || typeof facts.rule !== 'string') return null;
  if (facts.rule === 'freeze') return `freeze.${String(facts.level)}`;
  return `kyc.${facts.rule}`;
}
