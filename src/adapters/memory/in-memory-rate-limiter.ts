import type { RateLimitDecision, RateLimiter } from '../../domain/regulator/regulator.ports.ts';
import { gcra } from '../../domain/regulator/gcra.ts';
import type { RateLimitRule } from '../../domain/regulator/rate-limits.ts';

/** The embedded default's rate limiter: the same GCRA as the Redis script, in one process. */
export class InMemoryRateLimiter implements RateLimiter {
  private readonly tats = new Map<string, { tat: number; expiresAt: number }>();
  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  async consume(bucket: string, rules: RateLimitRule[]): Promise<RateLimitDecision> {
    const now = this.now();
    const keys = rules.map((r) => `${bucket}:${r.window}`);
    const stored = keys.map((k) => {
      const e = this.tats.get(k);
      return e && e.expiresAt > now ? e.tat : null;
    });
    const out = gcra(now, rules, stored);
    if (out.allowed) keys.forEach((k, i) => this.tats.set(k, { tat: out.tats[i]!, expiresAt: out.tats[i]! + 1 }));
    if (this.tats.size > 10_000) for (const [k, e] of this.tats) if (e.expiresAt <= now) this.tats.delete(k);
    const rule = rules[out.rule]!;
    return {
      allowed: out.allowed,
      window: rule.window,
      limit: rule.limit,
      remaining: out.remaining,
      resetSeconds: Math.ceil(out.resetMs / 1000),
      retryAfterSeconds: Math.max(1, Math.ceil(out.retryMs / 1000)),
    };
  }

  async ping(): Promise<void> {}
}
