import { Redis } from 'ioredis';

/**
 * A Redis connection that fails fast: commands time out after 2 s and are not queued while
 * disconnected, so a Redis outage turns into errors the services handle, never a hang.
 * Commands issued in the same turn of the event loop go out in one write and come back in one
 * read (auto-pipelining): concurrent requests' session checks, and a ledger batch's cache
 * invalidations, share a round trip instead of taking one each (issue 14).
 */
export function createRedis(url: string): Redis {
  return new Redis(url, {
    lazyConnect: true,
    connectTimeout: 2000,
    commandTimeout: 2000,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    enableAutoPipelining: true,
  });
}
