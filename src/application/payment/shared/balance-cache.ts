import type { KeyValueStore } from '../../ports/key-value-store.ts';
import { Money } from '../../../domain/shared/money.ts';

const TTL_SECONDS = 60;

/**
 * The balance read-through cache (Redis). Keys are versioned per user: a change bumps the version
 * after its commit, so a reader that loaded an old balance just before the bump writes it under a
 * version nobody reads any more; a stale balance is never served. The cache is an optimisation:
 * when the store fails, reads go to the database.
 */
export class BalanceCache {
  private readonly kv: KeyValueStore;

  constructor(kv: KeyValueStore) {
    this.kv = kv;
  }

  async get(userId: number, load: () => Promise<{ balance: Money; currency: string } | null>): Promise<{ balance: Money; currency: string } | null> {
    let version: string;
    try {
      version = (await this.kv.get(versionKey(userId))) ?? '0';
      const hit = await this.kv.get(balanceKey(userId, version));
      if (hit) return { balance: Money.parse(hit), currency: 'IDR' };
    } catch {
      return load();
    }
    const fresh = await load();
    if (fresh) await this.kv.set(balanceKey(userId, version), fresh.balance.toString(), TTL_SECONDS).catch(() => {});
    return fresh;
  }

  async invalidate(userIds: number[]): Promise<void> {
    await Promise.all(userIds.map((u) => this.kv.increment(versionKey(u), 7 * 86400)));
  }
}

const versionKey = (userId: number) => `payment:balance-version:${userId}`;
const balanceKey = (userId: number, version: string) => `payment:balance:${userId}:${version}`;
