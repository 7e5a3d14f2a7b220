import { RegulatorErrors } from './regulator.errors.ts';

/** The windows a key can be limited on; a key may have several at once (e.g. 100/min and 1000/h). */
export const RATE_WINDOWS = ['second', 'minute', 'hour', 'day'] as const;
export type RateWindow = (typeof RATE_WINDOWS)[number];

export const WINDOW_MS: Record<RateWindow, number> = { second: 1000, minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** Requests allowed per window; a missing window is unlimited. */
export type RateLimits = Partial<Record<RateWindow, number>>;

export interface RateLimitRule {
  window: RateWindow;
  limit: number;
  periodMs: number;
}

/** Validates limits from the operator or the database: positive integers on known windows. */
export function parseRateLimits(input: Record<string, unknown>): RateLimits {
  const out: RateLimits = {};
  for (const [k, v] of Object.entries(input)) {
    if (!(RATE_WINDOWS as readonly string[]).includes(k))
      throw RegulatorErrors.invalidRateLimit(`unknown rate-limit window "${k}" (second, minute, hour, day)`);
    if (v === null || v === undefined) continue;
    const n = typeof v === 'string' ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 10_000_000)
      throw RegulatorErrors.invalidRateLimit(`rate limit per ${k} must be a positive integer`);
    out[k as RateWindow] = n;
  }
  return out;
}

/** The rules to check, shortest window first. */
export function rulesOf(limits: RateLimits): RateLimitRule[] {
  return RATE_WINDOWS.filter((w) => limits[w] !== undefined).map((w) => ({ window: w, limit: limits[w]!, periodMs: WINDOW_MS[w] }));
}

export function describeLimits(limits: RateLimits): string {
  const parts = RATE_WINDOWS.filter((w) => limits[w] !== undefined).map((w) => `${limits[w]}/${w}`);
  return parts.length ? parts.join(', ') : 'unlimited';
}
