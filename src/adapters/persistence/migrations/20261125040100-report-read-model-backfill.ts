import { Migration } from '@mikro-orm/migrations';

/**
 * Backfills the reports' read model (transaction_report_rows, transaction_daily_aggregates) from
 * the history that exists when the transaction service arrives, so reports cover rows written
 * before its consumer ran. Later events re-sync each transaction from its row, so a row that
 * changes while this runs is corrected by its own event.
 */
export class Migration20261125040100ReportReadModelBackfill extends Migration {
  override name = '20261125040100-report-read-model-backfill';

  override up(): void {
    this.addSql(`insert into transaction_report_rows (transaction_id, day, transaction_type, transaction_status, payment_method, is_accessible_external, amount)
      select transaction_id, (created_at at time zone 'Asia/Jakarta')::date, transaction_type, transaction_status, coalesce(payment_method::text, ''), is_accessible_external, amount
      from historical_transactions
      on conflict (transaction_id) do nothing;`);
    this.addSql(`insert into transaction_daily_aggregates (day, transaction_type, transaction_status, payment_method, is_accessible_external, tx_count, amount)
      select day, transaction_type, transaction_status, payment_method, is_accessible_external, count(*), sum(amount)
      from transaction_report_rows group by 1, 2, 3, 4, 5
      on conflict (day, transaction_type, transaction_status, payment_method, is_accessible_external)
      do update set tx_count = excluded.tx_count, amount = excluded.amount;`);
  }
}
