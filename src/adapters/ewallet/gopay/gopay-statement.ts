import type { StatementLine } from '../../../domain/ewallet/ewallet-provider.ts';
import { Money } from '../../../domain/shared/money.ts';
import { csvRecords, toCsv } from '../statement-csv.ts';
import { GOPAY_STATUS, GOPAY_STATUS_CODE, gopayTimestamp } from './gopay-protocol.ts';

/**
 * GoPay's daily transaction report (the merchant portal's settlement report, through the API):
 * `POST /v1.0/emoney/transaction-report` signed like every other SNAP call, body
 * `{"reportDate":"YYYY-MM-DD"}` (a Jakarta day), answered `text/csv` with one line per top-up
 * created that day. Timestamps in SNAP form (+07:00), amounts "10000.00", status the SNAP codes.
 */
export const GOPAY_STATEMENT_PATH = '/v1.0/emoney/transaction-report';

export const GOPAY_STATEMENT_COLUMNS = [
  'transactionDate',
  'referenceNo',
  'partnerReferenceNo',
  'customerNumber',
  'amount',
  'currency',
  'latestTransactionStatus',
  'transactionStatusDesc',
  'finishedTime',
] as const;

export interface GoPayStatementRow extends StatementLine {
  phone: string;
}

export function gopayStatementCsv(rows: GoPayStatementRow[]): string {
  return toCsv(
    GOPAY_STATEMENT_COLUMNS,
    rows.map((t) => [
      gopayTimestamp(t.createdAt),
      t.providerReference,
      t.reference,
      t.phone,
      t.amount.toString(),
      'IDR',
      GOPAY_STATUS_CODE[t.status],
      t.status === 'FAILED' ? (t.reason ?? 'DECLINED') : t.status === 'SUCCESS' ? 'Success' : 'Pending',
      t.status === 'PENDING' ? '' : gopayTimestamp(t.updatedAt),
    ]),
  );
}

/** Throws on a malformed report (the adapter turns that into PROVIDER_ERROR). */
export function parseGopayStatement(csv: string): StatementLine[] {
  return csvRecords(csv, GOPAY_STATEMENT_COLUMNS).map((r) => {
    const status = GOPAY_STATUS[r.latestTransactionStatus!];
    const createdAt = new Date(r.transactionDate!);
    if (!status || Number.isNaN(createdAt.getTime()) || r.currency !== 'IDR') throw new Error(`bad statement line for ${r.partnerReferenceNo}`);
    const line: StatementLine = {
      reference: r.partnerReferenceNo!,
      providerReference: r.referenceNo!,
      amount: Money.parse(r.amount!),
      status,
      createdAt,
      updatedAt: r.finishedTime ? new Date(r.finishedTime) : createdAt,
    };
    if (status === 'FAILED') line.reason = r.transactionStatusDesc!;
    return line;
  });
}
