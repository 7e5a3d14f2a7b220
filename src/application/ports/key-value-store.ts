/**
 * The small set of Redis operations the services need (sessions, counters, deny lists, caches),
 * so that the embedded default can run them in memory. Every write carries a TTL: nothing here
 * is the system of record.
 */
export interface KeyValueStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Sets only when absent; true when this call set it. */
  setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean>;
  del(...keys: string[]): Promise<void>;
  /** Increments a counter; the TTL starts with the first increment. Returns the new value and the seconds it has left. */
  increment(key: string, ttlSeconds: number): Promise<{ value: number; ttlSeconds: number }>;
  ttl(key: string): Promise<number>;
  ping(): Promise<void>;
}
