import type { LedgerRepository } from '../../../domain/ledger/ledger.repository.ts';
import type { LedgerTransaction } from '../../../domain/ledger/transaction.ts';
import { LedgerErrors } from '../../../domain/ledger/ledger.errors.ts';

/** One of the caller's own transactions; someone else's is indistinguishable from a missing one. */
export class GetTransactionQuery {
  private readonly ledger: LedgerRepository;

  constructor(ledger: LedgerRepository) {
    this.ledger = ledger;
  }

  async execute(userId: number, transactionId: string): Promise<LedgerTransaction> {
    const t = transactionId.length <= 50 ? await this.ledger.findByTransactionId(transactionId) : null;
    if (!t || t.userId !== userId) throw LedgerErrors.transactionNotFound();
    return t;
  }
}
