import type { PaymentMethod } from './transaction.ts';

/**
 * The pending top-ups the reconcilers work on, shared by every payment replica: a replica claims a
 * batch (a lease with a token), asks the provider about each, and releases each with the time of
 * its next check. While a claim lasts no other replica gets the top-up, so several replicas never
 * ask about, nor decide on, the same top-up at once.
 */
export interface ClaimedTopUp {
  transactionId: string;
  paymentMethod: PaymentMethod;
  /** Milliseconds since the debit, measured by the database's clock (one clock for every replica). */
  ageMs: number;
  /** Checks made before this one. */
  checks: number;
  /** Fences the release: a claim that expired and was taken by another replica cannot be released by this one. */
  token: string;
}

export interface TopUpReconcileQueue {
  /** PENDING top-ups created before `olderThan`, due for a check and not claimed by anyone, oldest first. */
  claim(opts: { olderThan: Date; limit: number; leaseMs: number }): Promise<ClaimedTopUp[]>;
  /** Ends the claim; the top-up (if still PENDING) is due again after `nextCheckInMs`. */
  release(claim: ClaimedTopUp, nextCheckInMs: number): Promise<void>;
}
