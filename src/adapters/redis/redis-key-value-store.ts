import type { Redis } from 'ioredis';
import type { KeyValueStore } from '../../application/ports/key-value-store.ts';

// INCR and set the expiry on the first increment, atomically.
const INCREMENT = `local v = redis.call('INCR', KEYS[1])
if v == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return {v, redis.call('TTL', KEYS[1])}`;

export class RedisKeyValueStore implements KeyValueStore {
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(redis: Redis, prefix = 'ogp:') {
    this.redis = redis;
    this.prefix = prefix;
  }

  async get(key: string): Promise<string | null> {
    return this.redis.get(this.prefix + key);
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    await this.redis.set(this.prefix + key, value, 'EX', Math.max(1, Math.ceil(ttlSeconds)));
  }

  async setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    return (await this.redis.set(this.prefix + key, value, 'EX', Math.max(1, Math.ceil(ttlSeconds)), 'NX')) === 'OK';
  }

  async del(...keys: string[]): Promise<void> {
    if (keys.length) await this.redis.del(...keys.map((k) => this.prefix + k));
  }

  async increment(key: string, ttlSeconds: number): Promise<{ value: number; ttlSeconds: number }> {
    const [value, ttl] = (await this.redis.eval(INCREMENT, 1, this.prefix + key, Math.max(1, Math.ceil(ttlSeconds)))) as [number, number];
    return { value, ttlSeconds: ttl };
  }

  async ttl(key: string): Promise<number> {
    return this.redis.ttl(this.prefix + key);
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }
}
