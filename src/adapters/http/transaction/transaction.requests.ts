import { z } from 'zod';
import type { HistoryFilters, Paging } from '../../../domain/transaction/transaction-read.ports.ts';
import { PAYMENT_METHODS, TRANSACTION_STATUSES, TRANSACTION_TYPES } from '../../../domain/ledger/transaction.ts';
import { MAX_YEAR, MIN_YEAR, isBoundedDate, isBoundedDateTime } from '../../../domain/shared/bounded-time.ts';
import { validationFailed } from '../../../domain/identity/identity.errors.ts';
import { TransactionErrors } from '../../../domain/transaction/transaction.errors.ts';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** Business days are Asia/Jakarta days (UTC+7, no daylight saving). */
const WIB = '+07:00';

// Bounded (years 1970–9999) and checked field by field, so that no date PostgreSQL would refuse gets past the edge.
export const instant = z
  .string()
  .refine(
    (v) => isBoundedDate(v) || isBoundedDateTime(v),
    `must be a date (YYYY-MM-DD, an Asia/Jakarta day) or an ISO-8601 date-time with offset, years ${MIN_YEAR}–${MAX_YEAR}`,
  );
const day = z.string().refine(isBoundedDate, `must be a date YYYY-MM-DD, years ${MIN_YEAR}–${MAX_YEAR}`);

/** `from` is inclusive; `to` is exclusive for a date-time and includes the whole day for a date. */
export function fromInstant(v: string): Date {
  return DATE.test(v) ? new Date(`${v}T00:00:00${WIB}`) : new Date(v);
}
export function toInstant(v: string): Date {
  return DATE.test(v) ? new Date(new Date(`${v}T00:00:00${WIB}`).getTime() + 86_400_000) : new Date(v);
}

export const HistoryQuery = z.object({
  page: z.coerce.number().int().min(1).max(1_000_000).optional(),
  size: z.coerce.number().int().min(1).max(100).default(10),
  cursor: z.string().max(512).optional(),
  type: z.enum(TRANSACTION_TYPES).optional(),
  status: z.enum(TRANSACTION_STATUSES).optional(),
  payment_method: z.enum(PAYMENT_METHODS).optional(),
  from: instant.optional(),
  to: instant.optional(),
});
export type HistoryQuery = z.infer<typeof HistoryQuery>;

export function filtersOf(q: { type?: string; status?: string; payment_method?: string; from?: string; to?: string }): HistoryFilters {
  const filters: HistoryFilters = {
    type: q.type,
    status: q.status,
    paymentMethod: q.payment_method,
    from: q.from ? fromInstant(q.from) : undefined,
    to: q.to ? toInstant(q.to) : undefined,
  };
  if (filters.from && filters.to && filters.from.getTime() >= filters.to.getTime()) {
    throw TransactionErrors.exportRangeReversed();
  }
  return filters;
}

/** Page mode (page/size, with meta.total) unless a cursor is given (cursor mode; an empty cursor starts at the newest). */
export function pagingOf(q: HistoryQuery): Paging {
  if (q.cursor !== undefined && q.page !== undefined) {
    throw validationFailed([{ field: 'cursor', message: 'use either page or cursor, not both' }]);
  }
  return q.cursor !== undefined ? { mode: 'cursor', cursor: q.cursor || null, size: q.size } : { mode: 'page', page: q.page ?? 1, size: q.size };
}

export const IdParams = z.object({ id: z.string().min(1).max(64) });

export const MonthlyQuery = z.object({
  year: z.coerce.number().int().min(2000).max(2100),
  month: z.coerce.number().int().min(1).max(12),
});

export const ExportQuery = z.object({
  from: instant,
  to: instant,
  format: z.enum(['ndjson', 'csv']).default('ndjson'),
});

export const ReportQuery = z.object({
  from: day,
  to: day,
  granularity: z.enum(['day', 'month']).default('day'),
});
