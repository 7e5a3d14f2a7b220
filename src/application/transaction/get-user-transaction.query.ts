import { LedgerErrors } from '../../domain/ledger/ledger.errors.ts';
import type { TransactionReadRepository, TransactionView } from '../../domain/transaction/transaction-read.ports.ts';

/** One of the user's own transactions; someone else's is "not found", like a missing one. */
export class GetUserTransactionQuery {
  private readonly repo: TransactionReadRepository;

  constructor(repo: TransactionReadRepository) {
    this.repo = repo;
  }

  async execute(userId: number, id: string): Promise<TransactionView> {
    const row = await this.repo.findOne({ kind: 'user', userId }, id);
    if (!row) throw LedgerErrors.transactionNotFound();
    return row;
  }
}
