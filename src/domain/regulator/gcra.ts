import type { RateLimitRule } from './rate-limits.ts';

/**
 * GCRA (generic cell rate algorithm) over several windows at once. Per window the state is one
 * number, the theoretical arrival time (TAT); `limit` requests fit in `period`, and a window is
 * fully replenished `period` after its last burst. A request is allowed only when every window
 * allows it; a refused request changes nothing. The Redis adapter runs the same steps in Lua.
 */
export interface GcraOutcome {
  allowed: boolean;
  /** Index of the binding rule. */
  rule: number;
  remaining: number;
  resetMs: number;
  retryMs: number;
  /** New TATs to store when allowed. */
  tats: number[];
}

const EPS = 1e-9;

export function gcra(now: number, rules: RateLimitRule[], stored: (number | null)[]): GcraOutcome {
  const tats: number[] = [];
  let refused: GcraOutcome | null = null;
  let binding = { rule: 0, remaining: Number.POSITIVE_INFINITY, resetMs: 0 };
  rules.forEach((r, i) => {
    const interval = r.periodMs / r.limit;
    const tat = Math.max(stored[i] ?? now, now);
    const newTat = tat + interval;
    const allowAt = newTat - r.periodMs;
    if (allowAt > now + EPS) {
      const retryMs = Math.ceil(allowAt - now);
      if (!refused || retryMs > refused.retryMs) refused = { allowed: false, rule: i, remaining: 0, resetMs: Math.ceil(tat - now), retryMs, tats: [] };
      return;
    }
    tats.push(newTat);
    const remaining = Math.floor((r.periodMs - (newTat - now)) / interval + EPS);
    if (remaining < binding.remaining) binding = { rule: i, remaining, resetMs: Math.ceil(newTat - now) };
  });
  if (refused) return refused;
  return { allowed: true, rule: binding.rule, remaining: binding.remaining, resetMs: binding.resetMs, retryMs: 0, tats };
}
