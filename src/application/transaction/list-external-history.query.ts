import type { HistoryFilters, HistoryPage, Paging, TransactionReadRepository } from '../../domain/transaction/transaction-read.ports.ts';

/** Every user's transactions, as a regulator sees them (not cached: regulators page through everything). */
export class ListExternalHistoryQuery {
  private readonly repo: TransactionReadRepository;

  constructor(repo: TransactionReadRepository) {
    this.repo = repo;
  }

  execute(filters: HistoryFilters, paging: Paging): Promise<HistoryPage> {
    return this.repo.list({ kind: 'external' }, filters, paging);
  }
}
