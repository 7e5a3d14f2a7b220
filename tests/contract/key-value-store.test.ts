import { afterAll, describe, expect, it } from 'vitest';
import type { KeyValueStore } from '../../src/application/ports/key-value-store.ts';
import { InMemoryKeyValueStore } from '../../src/adapters/memory/in-memory-key-value-store.ts';
import { RedisKeyValueStore } from '../../src/adapters/redis/redis-key-value-store.ts';
import { createRedis } from '../../src/adapters/redis/redis-client.ts';
import { requireEnv, uniq } from '../support/services.ts';

const redis = createRedis(requireEnv('TEST_REDIS_URL'));
await redis.connect();
afterAll(() => redis.disconnect());

// One suite, run against every adapter of the port.
describe.each<[string, () => KeyValueStore]>([
  ['InMemoryKeyValueStore', () => new InMemoryKeyValueStore()],
  ['RedisKeyValueStore', () => new RedisKeyValueStore(redis, 'test:')],
])('KeyValueStore contract: %s', (_name, make) => {
  const kv = make();

  it('sets, gets and deletes', async () => {
    const k = uniq('k');
    expect(await kv.get(k)).toBeNull();
    await kv.set(k, 'v', 60);
    expect(await kv.get(k)).toBe('v');
    await kv.del(k);
    expect(await kv.get(k)).toBeNull();
  });

  it('sets only when absent', async () => {
    const k = uniq('k');
    expect(await kv.setIfAbsent(k, 'a', 60)).toBe(true);
    expect(await kv.setIfAbsent(k, 'b', 60)).toBe(false);
    expect(await kv.get(k)).toBe('a');
  });

  it('counts with a TTL that starts at the first increment', async () => {
    const k = uniq('c');
    expect((await kv.increment(k, 100)).value).toBe(1);
    const second = await kv.increment(k, 100);
    expect(second.value).toBe(2);
    expect(second.ttlSeconds).toBeGreaterThan(90);
    expect(second.ttlSeconds).toBeLessThanOrEqual(100);
    expect(await kv.ttl(k)).toBeGreaterThan(90);
  });

  it('counts atomically under concurrency', async () => {
    const k = uniq('c');
    await Promise.all(Array.from({ length: 50 }, () => kv.increment(k, 60)));
    expect((await kv.increment(k, 60)).value).toBe(51);
  });

  it('expires entries', async () => {
    const k = uniq('e');
    await kv.set(k, 'v', 1);
    await new Promise((r) => setTimeout(r, 1100));
    expect(await kv.get(k)).toBeNull();
    expect(await kv.ttl(k)).toBe(-2);
  });

  it('answers ping', async () => {
    await expect(kv.ping()).resolves.toBeUndefined();
  });
});
