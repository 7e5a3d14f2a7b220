import type { HistoryCache, TransactionReadRepository } from '../../domain/transaction/transaction-read.ports.ts';
import { ExportTransactionsQuery } from './export-transactions.query.ts';
import { GetExternalTransactionQuery } from './get-external-transaction.query.ts';
import { GetMonthlyReportQuery } from './get-monthly-report.query.ts';
import { GetUserTransactionQuery } from './get-user-transaction.query.ts';
import { ListExternalHistoryQuery } from './list-external-history.query.ts';
import { ListUserHistoryQuery } from './list-user-history.query.ts';
import { TransactionReportQuery } from './transaction-report.query.ts';

/** The read side's use cases, one query object each: users' own histories and reports, and the regulators' views. */
export interface TransactionQueries {
  userHistories: ListUserHistoryQuery;
  userTransaction: GetUserTransactionQuery;
  monthlyReport: GetMonthlyReportQuery;
  externalHistories: ListExternalHistoryQuery;
  externalTransaction: GetExternalTransactionQuery;
  exportRows: ExportTransactionsQuery;
  report: TransactionReportQuery;
}

/** The read side's queries over one read repository (and the users' history cache, if any). */
export function transactionQueries(repo: TransactionReadRepository, cache: HistoryCache | null = null): TransactionQueries {
  return {
    userHistories: new ListUserHistoryQuery(repo, cache),
    userTransaction: new GetUserTransactionQuery(repo),
    monthlyReport: new GetMonthlyReportQuery(repo),
    externalHistories: new ListExternalHistoryQuery(repo),
    externalTransaction: new GetExternalTransactionQuery(repo),
    exportRows: new ExportTransactionsQuery(repo),
    report: new TransactionReportQuery(repo),
  };
}
