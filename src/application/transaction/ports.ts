/** A history row as the read side sees it; amounts are decimal strings ("10000.00"). */
export interface TransactionView {
  id: string;
  transactionId: string;
  userId: number;
  accountId: string;
  type: string;
  status: string;
  amount: string;
  balanceBefore: string;
  balanceAfter: string;
  currency: string;
  paymentMethod: string | null;
  description: string | null;
  externalReference: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** Only on the regulator side (to be masked there). */
  phone?: string;
  /** The merchant of a PAYMENT or REFUND row (null otherwise, or for a payment older than merchants). */
  merchant?: { code: string; name: string } | null;
}

export interface HistoryFilters {
  type?: string;
  status?: string;
  paymentMethod?: string;
  from?: Date;
  to?: Date;
}

/** Who may see which rows: one user's own, or the externally accessible ones for regulators. */
export type Scope = { kind: 'user'; userId: number } | { kind: 'external' };

export type Paging = { mode: 'page'; page: number; size: number } | { mode: 'cursor'; cursor: string | null; size: number };

export interface HistoryPage {
  rows: TransactionView[];
  /** Page mode only. */
  total?: number;
  nextCursor: string | null;
}

export interface MonthlyReport {
  year: number;
  month: number;
  currency: string;
  openingBalance: string;
  closingBalance: string;
  totalIn: string;
  totalOut: string;
  byType: { type: string; inCount: number; inAmount: string; outCount: number; outAmount: string }[];
}

export interface ReportLine {
  period: string;
  type: string;
  status: string;
  paymentMethod: string | null;
  count: number;
  amount: string;
}

/** Movements refused by one rule over a period (movement_refusals): counted for the regulator report. */
export interface RefusalCount {
  rule: string;
  code: string;
  count: number;
  /** The refused amounts, summed ("0.00" when none carried an amount). */
  amount: string;
}

export interface TransactionReadRepository {
  list(scope: Scope, filters: HistoryFilters, paging: Paging): Promise<HistoryPage>;
  /** By id (uuid) or transaction_id, within the scope; null when absent or outside it. */
  findOne(scope: Scope, idOrTransactionId: string): Promise<TransactionView | null>;
  /** Every externally accessible row in [from, to), oldest first, fetched in bounded batches. */
  streamExternal(from: Date, to: Date, batchSize?: number): AsyncIterable<TransactionView>;
  monthly(userId: number, year: number, month: number): Promise<MonthlyReport>;
  /** From the read model: per period, type, status, method, over the days [fromDay, toDay] (YYYY-MM-DD). */
  reportLines(fromDay: string, toDay: string, granularity: 'day' | 'month'): Promise<ReportLine[]>;
  /** Refusals by rule over the days [fromDay, toDay] (Asia/Jakarta), by rule then code. */
  refusalCounts(fromDay: string, toDay: string): Promise<RefusalCount[]>;
}

/** The reports' read model, kept by the transaction-events consumer. */
export interface ReportProjection {
  /**
   * Applies one event exactly once (deduped on `eventId` for `consumer`) by re-reading the
   * transaction's current row and moving its contribution in the daily aggregates.
   */
  apply(consumer: string, eventId: string, eventType: string, transactionId: string): Promise<'applied' | 'duplicate'>;
}

/** Cached history pages; the consumer invalidates a user's pages when their transactions change. */
export interface HistoryCache {
  lookup(userId: number, queryKey: string): Promise<CacheLookup>;
  invalidate(userId: number): Promise<void>;
}

export interface CacheLookup {
  page: HistoryPage | null;
  store(page: HistoryPage): Promise<void>;
}
