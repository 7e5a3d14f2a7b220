/**
 * The PENDING payouts the payout checkers work on, shared by every payment replica (as
 * TopUpReconcileQueue is for top-ups): a replica claims a batch (a lease with a token), asks the
 * bank about each, and releases each with the time of its next check. While a claim lasts no
 * other replica gets the payout, so several replicas never ask about, nor settle, one payout at once.
 */
export interface ClaimedPayout {
  reference: string;
  /** Checks made before this one. */
  checks: number;
  /** Fences the release: a claim that expired and was taken by another replica cannot be released by this one. */
  token: string;
}

export interface PayoutCheckQueue {
  /** PENDING payouts created before `olderThan`, due for a check and not claimed by anyone, oldest first. */
  claim(opts: { olderThan: Date; limit: number; leaseMs: number }): Promise<ClaimedPayout[]>;
  /** Ends the claim; the payout (if still PENDING) is due again after `nextCheckInMs`. */
  release(claim: ClaimedPayout, nextCheckInMs: number): Promise<void>;
}
