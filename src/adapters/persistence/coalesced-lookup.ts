/**
 * Lookups by key that arrive in the same turn of the event loop go to the database as one
 * statement (`where key = any(…)`) instead of one each: under load, concurrent payments' merchant
 * and payer lookups share their round trips (issue 14). Nothing is cached: every call is answered
 * by a read issued after it was made, so what it sees is as fresh as a lookup of its own.
 */
export class CoalescedLookup<K extends string | number, V> {
  private pending = new Map<K, { resolve: (v: V | null) => void; reject: (e: unknown) => void }[]>();
  private scheduled = false;
  private readonly loadMany: (keys: K[]) => Promise<Map<K, V>>;

  constructor(loadMany: (keys: K[]) => Promise<Map<K, V>>) {
    this.loadMany = loadMany;
  }

  load(key: K): Promise<V | null> {
    return new Promise<V | null>((resolve, reject) => {
      const waiting = this.pending.get(key);
      if (waiting) waiting.push({ resolve, reject });
      else this.pending.set(key, [{ resolve, reject }]);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    this.scheduled = false;
    try {
      const found = await this.loadMany([...batch.keys()]);
      for (const [key, waiting] of batch) for (const w of waiting) w.resolve(found.get(key) ?? null);
    } catch (err) {
      for (const waiting of batch.values()) for (const w of waiting) w.reject(err);
    }
  }
}
