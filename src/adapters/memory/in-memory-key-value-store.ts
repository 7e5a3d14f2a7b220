import type { KeyValueStore } from '../../application/ports/key-value-store.ts';

/** The embedded default's stand-in for Redis: one process, expiry by timestamp. */
export class InMemoryKeyValueStore implements KeyValueStore {
  private readonly entries = new Map<string, { value: string; expiresAt: number }>();
  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  private live(key: string) {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  async get(key: string): Promise<string | null> {
    return this.live(key)?.value ?? null;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.entries.set(key, { value, expiresAt: this.now() + ttlSeconds * 1000 });
  }

  async setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    if (this.live(key)) return false;
    await this.set(key, value, ttlSeconds);
    return true;
  }

  async del(...keys: string[]): Promise<void> {
    for (const k of keys) this.entries.delete(k);
  }

  async increment(key: string, ttlSeconds: number): Promise<{ value: number; ttlSeconds: number }> {
    const e = this.live(key);
    if (!e) {
      this.entries.set(key, { value: '1', expiresAt: this.now() + ttlSeconds * 1000 });
      return { value: 1, ttlSeconds };
    }
    e.value = String(Number(e.value) + 1);
    return { value: Number(e.value), ttlSeconds: Math.ceil((e.expiresAt - this.now()) / 1000) };
  }

  async ttl(key: string): Promise<number> {
    const e = this.live(key);
    return e ? Math.ceil((e.expiresAt - this.now()) / 1000) : -2;
  }

  async ping(): Promise<void> {}
}
