/**
 * The top-up finality protocol (docs/SECURITY.md, "Money across the provider boundary").
 *
 * A timeout, a 5xx or a "not found" right after a send are UNKNOWN outcomes: the provider may
 * still apply the request. Every payment provider documents an acceptance window: a request is
 * applied within that long of being sent, or never. So:
 * - the send fence: no attempt of a top-up call starts later than `created + sendFence`, where
 *   sendFence is twice the call's worst case (one worst case of room between the debit's commit
 *   and the first attempt on a busy machine, one for the call itself): a process paused between
 *   the debit and the call must not send a request the reconciler already judged lost;
 * - "not found" is final only once `created + sendFence + acceptanceWindow` has passed: every
 *   attempt was sent before the fence and the provider's window after it is over.
 * Before that, the reconciler only asks again, with back-off, and never releases the money.
 */

export interface ProviderCallLimits {
  /** Deadline of one HTTP attempt. */
  timeoutMs: number;
  /** Extra attempts after the first. */
  retries: number;
  /** First backoff delay, doubled each retry (the jitter only shortens it). */
  backoffMs: number;
}

/** The longest one provider call can take: every attempt timing out, with the longest backoffs. */
export function callWorstCaseMs(c: ProviderCallLimits): number {
  const attempts = c.retries + 1;
  return c.timeoutMs * attempts + c.backoffMs * (2 ** c.retries - 1);
}

/** How long after a top-up's debit an attempt of its call may still start (the send fence). */
export function sendFenceMs(c: ProviderCallLimits): number {
  return 2 * callWorstCaseMs(c);
}

/** How long after a top-up's creation its provider's "not found" becomes a definite failure. */
export function notFoundFinalAfterMs(c: ProviderCallLimits, acceptanceWindowMs: number): number {
  return sendFenceMs(c) + acceptanceWindowMs;
}

/** True when a NOT_FOUND answer about a top-up of this age (ms since its debit) is final. */
export function isNotFoundFinal(ageMs: number, c: ProviderCallLimits, acceptanceWindowMs: number): boolean {
  return ageMs >= notFoundFinalAfterMs(c, acceptanceWindowMs);
}

/**
 * Why a reconcile delay is unsafe, or null: the reconciler must not ask before the request's own
 * call is surely over (it would see NOT_FOUND for a request still in flight and waste a check).
 */
export function reconcileDelayProblem(reconcileAfterMs: number, c: ProviderCallLimits): string | null {
  const worst = callWorstCaseMs(c);
  if (reconcileAfterMs >= worst) return null;
  return `the reconcile delay (${reconcileAfterMs} ms) is shorter than the provider call's worst case (timeout ${c.timeoutMs} ms × ${c.retries + 1} attempts + backoff = ${worst} ms)`;
}

/** The next check of a top-up still unknown: exponential back-off from `baseMs`, capped. */
export function nextCheckDelayMs(checksDone: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(checksDone, 30));
}
