import { TransactionErrors } from '../../domain/transaction/transaction.errors.ts';
import type { RefusalCount, ReportLine, TransactionReadRepository } from '../../domain/transaction/transaction-read.ports.ts';
import { formatMinor, toMinor } from './decimal-amounts.ts';

export interface Report {
  from: string;
  to: string;
  granularity: 'day' | 'month';
  totals: {
    count: number;
    amount: string;
    byType: Record<string, { count: number; amount: string }>;
    byStatus: Record<string, { count: number; amount: string }>;
    byPaymentMethod: Record<string, { count: number; amount: string }>;
  };
  series: ReportLine[];
  /** Movements refused by a rule the regulator counts (limits, freezes, fraud rules) over the same days. */
  refusals: { count: number; byRule: RefusalCount[] };
}

const MAX_REPORT_DAYS = 3 * 366;

/** Totals and series over the days [from, to] (inclusive, Asia/Jakarta days), from the read model. */
export class TransactionReportQuery {
  private readonly repo: TransactionReadRepository;

  constructor(repo: TransactionReadRepository) {
    this.repo = repo;
  }

  async execute(from: string, to: string, granularity: 'day' | 'month'): Promise<Report> {
    const days = (Date.parse(to) - Date.parse(from)) / 86_400_000;
    if (days < 0) throw TransactionErrors.reportRangeReversed();
    if (days > MAX_REPORT_DAYS) throw TransactionErrors.reportRangeTooLong();
    const series = await this.repo.reportLines(from, to, granularity);
    const add = (acc: Record<string, { count: number; amount: string }>, k: string, l: ReportLine) => {
      const cur = acc[k] ?? { count: 0, amount: '0.00' };
      acc[k] = { count: cur.count + l.count, amount: formatMinor(toMinor(cur.amount) + toMinor(l.amount)) };
    };
    const totals: Report['totals'] = { count: 0, amount: '0.00', byType: {}, byStatus: {}, byPaymentMethod: {} };
    let amount = 0n;
    for (const l of series) {
      totals.count += l.count;
      amount += toMinor(l.amount);
      add(totals.byType, l.type, l);
      add(totals.byStatus, l.status, l);
      add(totals.byPaymentMethod, l.paymentMethod ?? 'NONE', l);
    }
    totals.amount = formatMinor(amount);
    const byRule = await this.repo.refusalCounts(from, to);
    return { from, to, granularity, totals, series, refusals: { count: byRule.reduce((n, r) => n + r.count, 0), byRule } };
  }
}
