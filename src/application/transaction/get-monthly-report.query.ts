import type { MonthlyReport, TransactionReadRepository } from '../../domain/transaction/transaction-read.ports.ts';

/** A user's totals in and out for one month, from the read model. */
export class GetMonthlyReportQuery {
  private readonly repo: TransactionReadRepository;

  constructor(repo: TransactionReadRepository) {
    this.repo = repo;
  }

  execute(userId: number, year: number, month: number): Promise<MonthlyReport> {
    return this.repo.monthly(userId, year, month);
  }
}
