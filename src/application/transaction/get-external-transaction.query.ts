import { LedgerErrors } from '../../domain/ledger/ledger.errors.ts';
import type { TransactionReadRepository, TransactionView } from '../../domain/transaction/transaction-read.ports.ts';

/** Any one transaction, as a regulator sees it. */
export class GetExternalTransactionQuery {
  private readonly repo: TransactionReadRepository;

  constructor(repo: TransactionReadRepository) {
    this.repo = repo;
  }

  async execute(id: string): Promise<TransactionView> {
    const row = await this.repo.findOne({ kind: 'external' }, id);
    if (!row) throw LedgerErrors.transactionNotFound();
    return row;
  }
}
