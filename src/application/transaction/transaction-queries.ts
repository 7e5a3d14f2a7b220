import { createHash } from 'node:crypto';
import { DomainError } from '../../domain/shared/domain-error.ts';
import type { HistoryCache, HistoryFilters, HistoryPage, MonthlyReport, Paging, RefusalCount, ReportLine, TransactionReadRepository, TransactionView } from './ports.ts';

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

/** The read side's use cases: users' own histories and reports, and the regulators' views. */
export class TransactionQueries {
  private readonly repo: TransactionReadRepository;
  private readonly cache: HistoryCache | null;

  constructor(repo: TransactionReadRepository, cache: HistoryCache | null = null) {
    this.repo = repo;
    this.cache = cache;
  }

  async userHistories(userId: number, filters: HistoryFilters, paging: Paging): Promise<HistoryPage> {
    // The cache is an optimisation: when Redis fails, the database answers.
    const cached = this.cache ? await this.cache.lookup(userId, cacheKey(filters, paging)).catch(() => null) : null;
    if (cached?.page) return cached.page;
    const page = await this.repo.list({ kind: 'user', userId }, filters, paging);
    if (cached) await cached.store(page).catch(() => {});
    return page;
  }

  async userTransaction(userId: number, id: string): Promise<TransactionView> {
    const row = await this.repo.findOne({ kind: 'user', userId }, id);
    if (!row) throw new DomainError('TRANSACTION_NOT_FOUND', 'not_found', 'transaction not found');
    return row;
  }

  monthlyReport(userId: number, year: number, month: number): Promise<MonthlyReport> {
    return this.repo.monthly(userId, year, month);
  }

  externalHistories(filters: HistoryFilters, paging: Paging): Promise<HistoryPage> {
    return this.repo.list({ kind: 'external' }, filters, paging);
  }

  async externalTransaction(id: string): Promise<TransactionView> {
    const row = await this.repo.findOne({ kind: 'external' }, id);
    if (!row) throw new DomainError('TRANSACTION_NOT_FOUND', 'not_found', 'transaction not found');
    return row;
  }

  exportRows(from: Date, to: Date): AsyncIterable<TransactionView> {
    if (from.getTime() >= to.getTime()) throw new DomainError('INVALID_RANGE', 'invalid', '"from" must be before "to"', { errors: [{ field: 'from', message: 'must be before to' }] });
    return this.repo.streamExternal(from, to);
  }

  /** Totals and series over the days [from, to] (inclusive, Asia/Jakarta days), from the read model. */
  async report(from: string, to: string, granularity: 'day' | 'month'): Promise<Report> {
    const days = (Date.parse(to) - Date.parse(from)) / 86_400_000;
    if (days < 0) throw new DomainError('INVALID_RANGE', 'invalid', '"from" must not be after "to"', { errors: [{ field: 'from', message: 'must not be after to' }] });
    if (days > MAX_REPORT_DAYS) throw new DomainError('INVALID_RANGE', 'invalid', 'a report covers at most three years', { errors: [{ field: 'to', message: 'at most three years after from' }] });
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

function cacheKey(filters: HistoryFilters, paging: Paging): string {
  const text = JSON.stringify([filters.type, filters.status, filters.paymentMethod, filters.from?.toISOString(), filters.to?.toISOString(), paging]);
  return createHash('sha256').update(text).digest('base64url').slice(0, 32);
}

/** Sums can exceed numeric(15,2), so they are added as bigint minor units rather than Money. */
export function toMinor(decimal: string): bigint {
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(decimal);
  if (!m) throw new Error(`not a decimal amount: ${decimal}`);
  const v = BigInt(m[2]!) * 100n + BigInt((m[3] ?? '').padEnd(2, '0'));
  return m[1] ? -v : v;
}

export function formatMinor(minor: bigint): string {
  const sign = minor < 0n ? '-' : '';
  const abs = minor < 0n ? -minor : minor;
  return `${sign}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
}
