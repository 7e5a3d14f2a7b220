import { afterAll, describe, expect, it } from 'vitest';
import type { RateLimiter } from '../../src/domain/regulator/regulator.ports.ts';
import { InMemoryRateLimiter } from '../../src/adapters/memory/in-memory-rate-limiter.ts';
import { RedisRateLimiter } from '../../src/adapters/redis/redis-rate-limiter.ts';
import { createRedis } from '../../src/adapters/redis/redis-client.ts';
import { rulesOf } from '../../src/domain/regulator/rate-limits.ts';
import { requireEnv, uniq } from '../support/services.ts';

const redis = createRedis(requireEnv('TEST_REDIS_URL'));
await redis.connect();
afterAll(() => redis.disconnect());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// One suite, run against every adapter of the port.
describe.each<[string, () => RateLimiter]>([
  ['InMemoryRateLimiter', () => new InMemoryRateLimiter()],
  ['RedisRateLimiter', () => new RedisRateLimiter(redis, 'test:rl:')],
])('RateLimiter contract: %s', (_name, make) => {
  const limiter = make();

  it('allows exactly the limit, refuses the next with a retry time, and resets after the window', async () => {
    const bucket = uniq('b');
    const rules = rulesOf({ second: 5 });
    const first = [];
    for (let i = 0; i < 5; i++) first.push(await limiter.consume(bucket, rules));
    expect(first.map((d) => d.allowed)).toEqual([true, true, true, true, true]);
    expect(first.map((d) => d.remaining)).toEqual([4, 3, 2, 1, 0]);
    expect(first[0]).toMatchObject({ window: 'second', limit: 5, resetSeconds: 1 });
    const refused = await limiter.consume(bucket, rules);
    expect(refused).toMatchObject({ allowed: false, remaining: 0, limit: 5, window: 'second', retryAfterSeconds: 1 });
    await sleep(1100);
    // One burst, not six sequential round trips: on a busy machine six awaits in a row can take
    // longer than the 200 ms in which GCRA earns one request back, and the sixth would pass.
    const again = await Promise.all(Array.from({ length: 6 }, () => limiter.consume(bucket, rules)));
    expect(again.map((d) => d.allowed).sort()).toEqual([false, true, true, true, true, true]);
  });

  it('checks every window and reports the binding one; a refusal consumes nothing', async () => {
    const bucket = uniq('b');
    const rules = rulesOf({ second: 100, minute: 3, hour: 1000 });
    const d = [];
    for (let i = 0; i < 4; i++) d.push(await limiter.consume(bucket, rules));
    expect(d.map((x) => x.allowed)).toEqual([true, true, true, false]);
    expect(d[0]).toMatchObject({ window: 'minute', limit: 3, remaining: 2 });
    expect(d[3]).toMatchObject({ window: 'minute', limit: 3, remaining: 0 });
    expect(d[3]!.retryAfterSeconds).toBeGreaterThan(1);
    expect(d[3]!.retryAfterSeconds).toBeLessThanOrEqual(20);
  });

  it('keeps buckets apart', async () => {
    const rules = rulesOf({ second: 1 });
    const a = uniq('a');
    const b = uniq('b');
    expect((await limiter.consume(a, rules)).allowed).toBe(true);
    expect((await limiter.consume(a, rules)).allowed).toBe(false);
    expect((await limiter.consume(b, rules)).allowed).toBe(true);
  });

  it('counts concurrent requests atomically', async () => {
    const bucket = uniq('c');
    const rules = rulesOf({ minute: 10 });
    const results = await Promise.all(Array.from({ length: 25 }, () => limiter.consume(bucket, rules)));
    expect(results.filter((r) => r.allowed)).toHaveLength(10);
  });
});

describe('RedisRateLimiter shares its counts between instances (replicas)', () => {
  it('two limiters on two connections count against one limit', async () => {
    const other = createRedis(requireEnv('TEST_REDIS_URL'));
    await other.connect();
    try {
      const a = new RedisRateLimiter(redis, 'test:rl:');
      const b = new RedisRateLimiter(other, 'test:rl:');
      const bucket = uniq('shared');
      const rules = rulesOf({ second: 4 });
      const res = [
        await a.consume(bucket, rules),
        await b.consume(bucket, rules),
        await a.consume(bucket, rules),
        await b.consume(bucket, rules),
        await a.consume(bucket, rules),
      ];
      expect(res.map((r) => r.allowed)).toEqual([true, true, true, true, false]);
    } finally {
      other.disconnect();
    }
  });

  it('fails (so the API answers 503) when Redis is unreachable', async () => {
    const dead = createRedis('redis://127.0.0.1:1');
    const limiter = new RedisRateLimiter(dead);
    await expect(limiter.consume('x', rulesOf({ second: 1 }))).rejects.toThrow();
    dead.disconnect();
  });
});
