import { createHash } from 'node:crypto';
import type { HistoryCache, HistoryFilters, HistoryPage, Paging, TransactionReadRepository } from '../../domain/transaction/transaction-read.ports.ts';

/** A user's own history, a page at a time; pages are cached per user until their next transaction. */
export class ListUserHistoryQuery {
  private readonly repo: TransactionReadRepository;
  private readonly cache: HistoryCache | null;

  constructor(repo: TransactionReadRepository, cache: HistoryCache | null = null) {
    this.repo = repo;
    this.cache = cache;
  }

  async execute(userId: number, filters: HistoryFilters, paging: Paging): Promise<HistoryPage> {
    // The cache is an optimisation: when Redis fails, the database answers.
    const cached = this.cache ? await this.cache.lookup(userId, cacheKey(filters, paging)).catch(() => null) : null;
    if (cached?.page) return cached.page;
    const page = await this.repo.list({ kind: 'user', userId }, filters, paging);
    if (cached) await cached.store(page).catch(() => {});
    return page;
  }
}

function cacheKey(filters: HistoryFilters, paging: Paging): string {
  const text = JSON.stringify([filters.type, filters.status, filters.paymentMethod, filters.from?.toISOString(), filters.to?.toISOString(), paging]);
  return createHash('sha256').update(text).digest('base64url').slice(0, 32);
}
