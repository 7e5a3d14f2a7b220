import type { KeyValueStore } from '../ports/key-value-store.ts';
import type { CacheLookup, HistoryCache, HistoryPage, TransactionView } from '../../domain/transaction/transaction-read.ports.ts';

/**
 * Users' history pages cached in the key-value store (Redis) for a short TTL, under a per-user
 * version that the transaction-events consumer bumps: a bump makes every cached page of that
 * user unreachable at once, without scanning keys.
 */
export class KeyValueHistoryCache implements HistoryCache {
  private readonly kv: KeyValueStore;
  private readonly ttlSeconds: number;

  constructor(kv: KeyValueStore, ttlSeconds: number) {
    this.kv = kv;
    this.ttlSeconds = ttlSeconds;
  }

  private versionKey = (userId: number) => `txn:hist:v:${userId}`;

  private async pageKey(userId: number, queryKey: string): Promise<string> {
    const v = (await this.kv.get(this.versionKey(userId))) ?? '0';
    return `txn:hist:${userId}:${v}:${queryKey}`;
  }

  /** The cached page, and a way to store it under the version read now (never a newer one, so a stale page cannot outlive a bump). */
  async lookup(userId: number, queryKey: string): Promise<CacheLookup> {
    const key = await this.pageKey(userId, queryKey);
    const text = await this.kv.get(key);
    let page: HistoryPage | null = null;
    if (text) {
      page = JSON.parse(text) as HistoryPage;
      page.rows = page.rows.map((r: TransactionView) => ({ ...r, createdAt: new Date(r.createdAt), updatedAt: new Date(r.updatedAt) }));
    }
    return { page, store: (p) => this.kv.set(key, JSON.stringify(p), this.ttlSeconds) };
  }

  async invalidate(userId: number): Promise<void> {
    // The version outlives every page (pages live ttlSeconds), so a reset version never revives one.
    await this.kv.increment(this.versionKey(userId), Math.max(86_400, this.ttlSeconds * 10));
  }
}
