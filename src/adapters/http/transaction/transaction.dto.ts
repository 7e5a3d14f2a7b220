import type { HistoryPage, MonthlyReport, TransactionView } from '../../../application/transaction/ports.ts';
import type { Report } from '../../../application/transaction/transaction-queries.ts';
import { maskPhone } from '../../../domain/regulator/personal-data.ts';

/** A user's own row. */
export function userTransactionDto(t: TransactionView): Record<string, unknown> {
  return {
    id: t.id,
    transaction_id: t.transactionId,
    account_id: t.accountId,
    transaction_type: t.type,
    transaction_status: t.status,
    amount: t.amount,
    balance_before: t.balanceBefore,
    balance_after: t.balanceAfter,
    currency: t.currency,
    payment_method: t.paymentMethod,
    description: t.description,
    external_reference: t.externalReference,
    created_at: t.createdAt.toISOString(),
    updated_at: t.updatedAt.toISOString(),
  };
}

/**
 * A row as a regulator sees it: no email, no name, no balances of the person; the phone masked.
 * Built field by field (never by spreading the row) so a new column cannot leak by default.
 */
export function regulatorTransactionDto(t: TransactionView): Record<string, unknown> {
  return {
    id: t.id,
    transaction_id: t.transactionId,
    transaction_type: t.type,
    transaction_status: t.status,
    amount: t.amount,
    currency: t.currency,
    payment_method: t.paymentMethod,
    external_reference: t.externalReference,
    created_at: t.createdAt.toISOString(),
    updated_at: t.updatedAt.toISOString(),
    account_id: t.accountId,
    user: { id: t.userId, phone: maskPhone(t.phone) },
    // A business, not a person: its code and name are not masked (its bank account never appears here).
    merchant: t.merchant ? { code: t.merchant.code, name: t.merchant.name } : null,
  };
}

export function pageMeta(page: HistoryPage, paging: { mode: 'page'; page: number; size: number } | { mode: 'cursor'; size: number }): Record<string, unknown> {
  return paging.mode === 'page'
    ? { page: paging.page, size: paging.size, total: page.total ?? 0, next_cursor: page.nextCursor }
    : { size: paging.size, next_cursor: page.nextCursor };
}

export function monthlyDto(r: MonthlyReport): Record<string, unknown> {
  return {
    year: r.year,
    month: r.month,
    currency: r.currency,
    opening_balance: r.openingBalance,
    closing_balance: r.closingBalance,
    total_in: r.totalIn,
    total_out: r.totalOut,
    by_type: r.byType.map((t) => ({ transaction_type: t.type, in_count: t.inCount, in_amount: t.inAmount, out_count: t.outCount, out_amount: t.outAmount })),
  };
}

export function reportDto(r: Report): Record<string, unknown> {
  return {
    from: r.from,
    to: r.to,
    granularity: r.granularity,
    time_zone: 'Asia/Jakarta',
    totals: { count: r.totals.count, amount: r.totals.amount, by_type: r.totals.byType, by_status: r.totals.byStatus, by_payment_method: r.totals.byPaymentMethod },
    series: r.series.map((l) => ({ period: l.period, transaction_type: l.type, transaction_status: l.status, payment_method: l.paymentMethod, count: l.count, amount: l.amount })),
  };
}

export const CSV_COLUMNS = ['id', 'transaction_id', 'transaction_type', 'transaction_status', 'amount', 'currency', 'payment_method', 'external_reference', 'created_at', 'updated_at', 'account_id', 'user_id', 'user_phone', 'merchant_code', 'merchant_name'] as const;

export function csvLine(t: TransactionView): string {
  const d = regulatorTransactionDto(t) as Record<string, unknown> & { user: { id: number; phone: string | null }; merchant: { code: string; name: string } | null };
  const values = [d.id, d.transaction_id, d.transaction_type, d.transaction_status, d.amount, d.currency, d.payment_method, d.external_reference, d.created_at, d.updated_at, d.account_id, d.user.id, d.user.phone, d.merchant?.code, d.merchant?.name];
  return values.map(csvField).join(',') + '\r\n';
}

/** RFC 4180 quoting, and a leading quote for text a spreadsheet would run as a formula. */
function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s = String(v);
  if (/^[=+\-@\t\r]/.test(s) && !/^-?\d+(\.\d+)?$/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
