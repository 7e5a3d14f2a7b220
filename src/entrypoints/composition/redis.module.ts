import { ContainerModule } from 'inversify';
import { CORE } from './ids.ts';
import { createRedis } from '../../adapters/redis/redis-client.ts';
import { RedisKeyValueStore } from '../../adapters/redis/redis-key-value-store.ts';
import { RedisRateLimiter } from '../../adapters/redis/redis-rate-limiter.ts';

/** The Redis adapter group: the key-value store (caches, deny lists, throttles) and the regulators' rate limits, shared by every replica. */
export function redisModule(): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(CORE.Redis)
      .toDynamicValue(async (c) => {
        const logger = c.get(CORE.Logger);
        const redis = createRedis(c.get(CORE.Config).REDIS_URL!);
        redis.on('error', (err) => logger.warn({ err: err.message }, 'redis error'));
        await redis.connect().catch((err) => logger.warn({ err: err.message }, 'redis not reachable at start; retrying in the background'));
        return redis;
      })
      .inSingletonScope()
      .onDeactivation((redis) => void redis.disconnect());
    bind(CORE.KeyValueStore).toDynamicValue((c) => new RedisKeyValueStore(c.get(CORE.Redis)));
    bind(CORE.RateLimiter).toDynamicValue((c) => new RedisRateLimiter(c.get(CORE.Redis)));
    bind(CORE.Readiness).toDynamicValue(async (c) => {
      await c.getAsync(CORE.Redis);
      const kv = c.get(CORE.KeyValueStore);
      return { name: 'redis', check: () => kv.ping() };
    });
  });
}
