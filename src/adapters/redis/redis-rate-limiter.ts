import type { Redis } from 'ioredis';
import type { RateLimitDecision, RateLimiter } from '../../domain/regulator/regulator.ports.ts';
import type { RateLimitRule } from '../../domain/regulator/rate-limits.ts';

// GCRA over several windows in one atomic script (the steps of src/domain/regulator/gcra.ts).
// The clock is Redis's own (TIME), so every replica counts against the same time line.
// KEYS: one TAT key per window. ARGV: limit1, period1_ms, limit2, period2_ms, ...
// Returns {allowed, binding rule index (0-based), remaining, reset_ms, retry_ms}.
const GCRA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local eps = 1e-9
local n = #KEYS
local new_tats = {}
local refused_rule = -1
local refused_retry = -1
local refused_reset = 0
local bind_rule = 0
local bind_remaining = -1
local bind_reset = 0
for i = 1, n do
  local limit = tonumber(ARGV[2 * i - 1])
  local period = tonumber(ARGV[2 * i])
  local interval = period / limit
  local tat = tonumber(redis.call('GET', KEYS[i]) or now)
  if tat < now then tat = now end
  local new_tat = tat + interval
  local allow_at = new_tat - period
  if allow_at > now + eps then
    local retry = math.ceil(allow_at - now)
    if retry > refused_retry then
      refused_retry = retry
      refused_rule = i - 1
      refused_reset = math.ceil(tat - now)
    end
  else
    new_tats[i] = new_tat
    local remaining = math.floor((period - (new_tat - now)) / interval + eps)
    if bind_remaining < 0 or remaining < bind_remaining then
      bind_remaining = remaining
      bind_rule = i - 1
      bind_reset = math.ceil(new_tat - now)
    end
  end
end
if refused_rule >= 0 then
  return {0, refused_rule, 0, refused_reset, refused_retry}
end
for i = 1, n do
  local ttl = math.ceil(new_tats[i] - now) + 1000
  redis.call('SET', KEYS[i], string.format('%.3f', new_tats[i]), 'PX', ttl)
end
return {1, bind_rule, bind_remaining, bind_reset, 0}
`;

/** Rate limits shared by every replica: GCRA state in Redis, updated atomically by one Lua script. */
export class RedisRateLimiter implements RateLimiter {
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(redis: Redis, prefix = 'ogp:rl:') {
    this.redis = redis;
    this.prefix = prefix;
  }

  async consume(bucket: string, rules: RateLimitRule[]): Promise<RateLimitDecision> {
    // The hash tag keeps one bucket's keys in one cluster slot.
    const keys = rules.map((r) => `${this.prefix}{${bucket}}:${r.window}`);
    const args = rules.flatMap((r) => [String(r.limit), String(r.periodMs)]);
    const [allowed, ruleIndex, remaining, resetMs, retryMs] = (await this.redis.eval(GCRA, keys.length, ...keys, ...args)) as number[];
    const rule = rules[ruleIndex!]!;
    return {
      allowed: allowed === 1,
      window: rule.window,
      limit: rule.limit,
      remaining: remaining!,
      resetSeconds: Math.ceil(resetMs! / 1000),
      retryAfterSeconds: Math.max(1, Math.ceil(retryMs! / 1000)),
    };
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }
}
