import { Redis } from 'ioredis';

/**
 * A Redis connection that fails fast: commands time out after 2 s and are not queued while
 * disconnected, so a Redis outage turns into errors the services handle, never a hang.
 */
export function createRedis(url: string): Redis {
  return new Redis(url, {
    lazyConnect: true,
    connectTimeout: 2000,
    commandTimeout: 2000,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
}
