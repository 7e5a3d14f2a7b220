import type { StatementLine, TopUpStatus } from '../../../domain/ewallet/ewallet-provider.ts';
import { Money } from '../../../domain/shared/money.ts';
import { csvRecords, toCsv } from '../statement-csv.ts';

/**
 * ShopeePay's daily transaction report: `POST /v3/merchant-host/transaction/report` with the usual
 * per-request JWT, body `{"request_id","date":"YYYY-MM-DD"}` (a Jakarta day), answered `text/csv`.
 * Times are unix seconds as in ShopeePay's reports, amounts "10000.00".
 */
export const SHOPEEPAY_STATEMENT_PATH = '/v3/merchant-host/transaction/report';

export const SHOPEEPAY_STATEMENT_COLUMNS = [
  'transaction_sn',
  'reference_id',
  'phone',
  'amount',
  'currency',
  'status',
  'reason',
  'create_time',
  'update_time',
] as const;

const STATUSES: readonly TopUpStatus[] = ['SUCCESS', 'PENDING', 'FAILED'];
const unix = (d: Date) => String(Math.floor(d.getTime() / 1000));

export function shopeepayStatementCsv(rows: (StatementLine & { phone: string })[]): string {
  return toCsv(
    SHOPEEPAY_STATEMENT_COLUMNS,
    rows.map((t) => [t.providerReference, t.reference, t.phone, t.amount.toString(), 'IDR', t.status, t.reason ?? '', unix(t.createdAt), unix(t.updatedAt)]),
  );
}

export function parseShopeepayStatement(csv: string): StatementLine[] {
  return csvRecords(csv, SHOPEEPAY_STATEMENT_COLUMNS).map((r) => {
    const status = r.status as TopUpStatus;
    if (!STATUSES.includes(status) || !/^\d+$/.test(r.create_time!) || !/^\d+$/.test(r.update_time!) || r.currency !== 'IDR') {
      throw new Error(`bad statement line for ${r.reference_id}`);
    }
    const line: StatementLine = {
      reference: r.reference_id!,
      providerReference: r.transaction_sn!,
      amount: Money.parse(r.amount!),
      status,
      createdAt: new Date(Number(r.create_time) * 1000),
      updatedAt: new Date(Number(r.update_time) * 1000),
    };
    if (status === 'FAILED' && r.reason) line.reason = r.reason;
    return line;
  });
}
