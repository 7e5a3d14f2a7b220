import { TransactionErrors } from '../../domain/transaction/transaction.errors.ts';
import type { TransactionReadRepository, TransactionView } from '../../domain/transaction/transaction-read.ports.ts';

/** Every transaction created in [from, to), streamed for the regulators' export. */
export class ExportTransactionsQuery {
  private readonly repo: TransactionReadRepository;

  constructor(repo: TransactionReadRepository) {
    this.repo = repo;
  }

  execute(from: Date, to: Date): AsyncIterable<TransactionView> {
    if (from.getTime() >= to.getTime()) throw TransactionErrors.exportRangeReversed();
    return this.repo.streamExternal(from, to);
  }
}
