import type { HistoryPage, MonthlyReport, TransactionView } from '../../../domain/transaction/transaction-read.ports.ts';
import type { Report } from '../../../application/transaction/transaction-report.query.ts';
import { maskPhone } from '../../../domain/regulator/personal-data.ts';
import { z } from 'zod';
import { currency, moneyString, paymentMethod, timestamp, transactionStatus, transactionType, uuid } from '../schemas.ts';

type TxType = z.output<typeof transactionType>;
type TxStatus = z.output<typeof transactionStatus>;
type TxMethod = z.output<typeof paymentMethod>;

/** The read side's answers; each schema is what the OpenAPI document says. */
export const HistoryTransactionSchema = z
  .strictObject({
    id: uuid,
    transaction_id: z.string(),
    account_id: uuid,
    transaction_type: transactionType,
    transaction_status: transactionStatus,
    amount: moneyString,
    balance_before: moneyString,
    balance_after: moneyString,
    currency,
    payment_method: paymentMethod.nullable(),
    description: z.string().nullable(),
    external_reference: z.string().nullable(),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({
    id: 'HistoryTransaction',
    description: "One of the caller's own transactions, from the history read model.",
    examples: [
      {
        id: '0b7d3f5c-6a55-4a43-9c4e-2f0f8f7a9d10',
        transaction_id: 'TRX-20261201-4F2A9C1B7E',
        account_id: '5d3c1e0a-2b4f-4e6a-8c9d-0e1f2a3b4c5d',
        transaction_type: 'TOPUP',
        transaction_status: 'SUCCESS',
        amount: '50000.00',
        balance_before: '150000.00',
        balance_after: '100000.00',
        currency: 'IDR',
        payment_method: 'GOPAY',
        description: 'top up my GoPay',
        external_reference: 'GP-8f1c2d3e4b5a',
        created_at: '2026-12-01T08:15:30.123Z',
        updated_at: '2026-12-01T08:15:31.456Z',
      },
    ],
  });

export const RegulatorTransactionSchema = z
  .strictObject({
    id: uuid,
    transaction_id: z.string(),
    transaction_type: transactionType,
    transaction_status: transactionStatus,
    amount: moneyString,
    currency,
    payment_method: paymentMethod.nullable(),
    external_reference: z.string().nullable(),
    created_at: timestamp,
    updated_at: timestamp,
    account_id: uuid,
    user: z.strictObject({ id: z.number().int(), phone: z.string().nullable().describe('masked: +62812****7890') }),
    merchant: z
      .strictObject({ code: z.string(), name: z.string() })
      .nullable()
      .describe('PAYMENT and REFUND rows: the merchant (a business: not masked); null otherwise'),
  })
  .meta({
    id: 'RegulatorTransaction',
    description: 'A transaction as a regulator sees it: no email, no name, no balances; the phone masked.',
    examples: [
      {
        id: '0b7d3f5c-6a55-4a43-9c4e-2f0f8f7a9d10',
        transaction_id: 'TRX-20261201-4F2A9C1B7E',
        transaction_type: 'TOPUP',
        transaction_status: 'SUCCESS',
        amount: '50000.00',
        currency: 'IDR',
        payment_method: 'GOPAY',
        external_reference: 'GP-8f1c2d3e4b5a',
        created_at: '2026-12-01T08:15:30.123Z',
        updated_at: '2026-12-01T08:15:31.456Z',
        account_id: '5d3c1e0a-2b4f-4e6a-8c9d-0e1f2a3b4c5d',
        user: { id: 42, phone: '+62812****7890' },
        merchant: null,
      },
    ],
  });

/** The paging fields of a list's meta: page mode has page and total, cursor mode only size and next_cursor. */
export const PageMetaSchema = z
  .object({
    page: z.number().int().optional().describe('page mode only'),
    size: z.number().int(),
    total: z.number().int().optional().describe('page mode only: rows matching the filters'),
    next_cursor: z.string().nullable().describe('pass as ?cursor= for the next (older) rows; null at the end'),
  })
  .meta({ examples: [{ page: 1, size: 10, total: 1, next_cursor: 'eyJjIjoiMjAyNi0xMi0wMVQwODoxNTozMC4xMjNaIiwiaSI6IjBiN2QzZjVjIn0' }] });

const count = z.number().int();
export const MonthlyReportSchema = z
  .strictObject({
    year: z.number().int(),
    month: z.number().int(),
    currency: z.string(),
    opening_balance: moneyString,
    closing_balance: moneyString,
    total_in: moneyString,
    total_out: moneyString,
    by_type: z.array(z.strictObject({ transaction_type: transactionType, in_count: count, in_amount: moneyString, out_count: count, out_amount: moneyString })),
  })
  .meta({
    id: 'MonthlyReport',
    examples: [
      {
        year: 2026,
        month: 11,
        currency: 'IDR',
        opening_balance: '0.00',
        closing_balance: '150000.00',
        total_in: '200000.00',
        total_out: '50000.00',
        by_type: [
          { transaction_type: 'TRANSFER', in_count: 1, in_amount: '200000.00', out_count: 0, out_amount: '0.00' },
          { transaction_type: 'PAYMENT', in_count: 0, in_amount: '0.00', out_count: 1, out_amount: '50000.00' },
        ],
      },
    ],
  });

const Totals = z.record(z.string(), z.strictObject({ count, amount: moneyString }));
export const ReportSchema = z
  .strictObject({
    from: z.string(),
    to: z.string(),
    granularity: z.enum(['day', 'month']),
    time_zone: z.literal('Asia/Jakarta'),
    totals: z.strictObject({ count, amount: moneyString, by_type: Totals, by_status: Totals, by_payment_method: Totals }),
    series: z.array(
      z.strictObject({
        period: z.string(),
        transaction_type: transactionType,
        transaction_status: transactionStatus,
        payment_method: paymentMethod.nullable(),
        count,
        amount: moneyString,
      }),
    ),
    refusals: z
      .strictObject({
        count,
        by_rule: z.array(
          z.strictObject({
            rule: z
              .string()
              .describe(
                "kyc.balance_limit, kyc.monthly_incoming_limit, kyc.transfers_to_others (Bank Indonesia PBI 20/6/PBI/2018), freeze.DEBIT|CREDIT|ALL (operators' freezes), fds.* (fraud rules)",
              ),
            code: z.string().describe('the error code the movement was refused with'),
            count,
            amount: moneyString.describe('the refused amounts summed'),
          }),
        ),
      })
      .describe('movements refused by a rule over the same days: nothing moved, the refusal was recorded'),
  })
  .meta({
    id: 'Report',
    examples: [
      {
        from: '2026-11-01',
        to: '2026-11-30',
        granularity: 'day',
        time_zone: 'Asia/Jakarta',
        totals: {
          count: 1,
          amount: '50000.00',
          by_type: { TOPUP: { count: 1, amount: '50000.00' } },
          by_status: { SUCCESS: { count: 1, amount: '50000.00' } },
          by_payment_method: { GOPAY: { count: 1, amount: '50000.00' } },
        },
        series: [{ period: '2026-11-15', transaction_type: 'TOPUP', transaction_status: 'SUCCESS', payment_method: 'GOPAY', count: 1, amount: '50000.00' }],
        refusals: { count: 1, by_rule: [{ rule: 'kyc.balance_limit', code: 'BALANCE_LIMIT_EXCEEDED', count: 1, amount: '2500000.00' }] },
      },
    ],
  });

/** A user's own row. */
export function userTransactionDto(t: TransactionView): z.output<typeof HistoryTransactionSchema> {
  return {
    id: t.id,
    transaction_id: t.transactionId,
    account_id: t.accountId,
    transaction_type: t.type as TxType,
    transaction_status: t.status as TxStatus,
    amount: t.amount,
    balance_before: t.balanceBefore,
    balance_after: t.balanceAfter,
    currency: t.currency as 'IDR',
    payment_method: t.paymentMethod as TxMethod | null,
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
export function regulatorTransactionDto(t: TransactionView): z.output<typeof RegulatorTransactionSchema> {
  return {
    id: t.id,
    transaction_id: t.transactionId,
    transaction_type: t.type as TxType,
    transaction_status: t.status as TxStatus,
    amount: t.amount,
    currency: t.currency as 'IDR',
    payment_method: t.paymentMethod as TxMethod | null,
    external_reference: t.externalReference,
    created_at: t.createdAt.toISOString(),
    updated_at: t.updatedAt.toISOString(),
    account_id: t.accountId,
    user: { id: t.userId, phone: maskPhone(t.phone) },
    // A business, not a person: its code and name are not masked (its bank account never appears here).
    merchant: t.merchant ? { code: t.merchant.code, name: t.merchant.name } : null,
  };
}

export function pageMeta(
  page: HistoryPage,
  paging: { mode: 'page'; page: number; size: number } | { mode: 'cursor'; size: number },
): z.output<typeof PageMetaSchema> {
  return paging.mode === 'page'
    ? { page: paging.page, size: paging.size, total: page.total ?? 0, next_cursor: page.nextCursor }
    : { size: paging.size, next_cursor: page.nextCursor };
}

export function monthlyDto(r: MonthlyReport): z.output<typeof MonthlyReportSchema> {
  return {
    year: r.year,
    month: r.month,
    currency: r.currency,
    opening_balance: r.openingBalance,
    closing_balance: r.closingBalance,
    total_in: r.totalIn,
    total_out: r.totalOut,
    by_type: r.byType.map((t) => ({
      transaction_type: t.type as TxType,
      in_count: t.inCount,
      in_amount: t.inAmount,
      out_count: t.outCount,
      out_amount: t.outAmount,
    })),
  };
}

export function reportDto(r: Report): z.output<typeof ReportSchema> {
  return {
    from: r.from,
    to: r.to,
    granularity: r.granularity,
    time_zone: 'Asia/Jakarta',
    totals: {
      count: r.totals.count,
      amount: r.totals.amount,
      by_type: r.totals.byType,
      by_status: r.totals.byStatus,
      by_payment_method: r.totals.byPaymentMethod,
    },
    series: r.series.map((l) => ({
      period: l.period,
      transaction_type: l.type as TxType,
      transaction_status: l.status as TxStatus,
      payment_method: l.paymentMethod as TxMethod | null,
      count: l.count,
      amount: l.amount,
    })),
    refusals: { count: r.refusals.count, by_rule: r.refusals.byRule.map((x) => ({ rule: x.rule, code: x.code, count: x.count, amount: x.amount })) },
  };
}

export const CSV_COLUMNS = [
  'id',
  'transaction_id',
  'transaction_type',
  'transaction_status',
  'amount',
  'currency',
  'payment_method',
  'external_reference',
  'created_at',
  'updated_at',
  'account_id',
  'user_id',
  'user_phone',
  'merchant_code',
  'merchant_name',
] as const;

export function csvLine(t: TransactionView): string {
  const d = regulatorTransactionDto(t);
  const values = [
    d.id,
    d.transaction_id,
    d.transaction_type,
    d.transaction_status,
    d.amount,
    d.currency,
    d.payment_method,
    d.external_reference,
    d.created_at,
    d.updated_at,
    d.account_id,
    d.user.id,
    d.user.phone,
    d.merchant?.code,
    d.merchant?.name,
  ];
  return values.map(csvField).join(',') + '\r\n';
}

/** RFC 4180 quoting, and a leading quote for text a spreadsheet would run as a formula. */
function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s = String(v);
  if (/^[=+\-@\t\r]/.test(s) && !/^-?\d+(\.\d+)?$/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
