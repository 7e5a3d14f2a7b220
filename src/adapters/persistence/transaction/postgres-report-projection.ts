import type { EntityManager } from '@mikro-orm/postgresql';
import type { ReportProjection } from '../../../domain/transaction/transaction-read.ports.ts';
import type { Orm } from '../orm.ts';
import { BUSINESS_TIME_ZONE } from './postgres-transaction-read.repository.ts';

interface Contribution {
  day: string;
  type: string;
  status: string;
  method: string;
  accessible: boolean;
  amount: string;
}

const same = (a: Contribution, b: Contribution) =>
  a.day === b.day && a.type === b.type && a.status === b.status && a.method === b.method && a.accessible === b.accessible && a.amount === b.amount;

/**
 * The reports' read model. An event does not carry the truth, the row does: each event makes the
 * projection re-read its transaction's current row and move that transaction's contribution from
 * the bucket it was counted in to the one it belongs to now. So duplicates, reordering and event
 * types with partial payloads all converge on what `historical_transactions` says, and the
 * reports equal a direct aggregate. processed_messages dedupes the events themselves.
 */
export class PostgresReportProjection implements ReportProjection {
  private readonly orm: Orm;

  constructor(orm: Orm) {
    this.orm = orm;
  }

  async apply(consumer: string, eventId: string, eventType: string, transactionId: string): Promise<'applied' | 'duplicate'> {
    return this.orm.em.fork().transactional(async (em) => {
      const claimed = (await em.execute(
        `insert into processed_messages (consumer, event_id, event_type) values (?, ?, ?) on conflict do nothing returning event_id`,
        [consumer, eventId, eventType],
      )) as unknown[];
      if (claimed.length === 0) return 'duplicate';
      await this.sync(em, transactionId);
      return 'applied';
    });
  }

  /** Brings one transaction's contribution in line with its row (also used to rebuild). */
  async sync(em: EntityManager, transactionId: string): Promise<void> {
    await em.execute(`select pg_advisory_xact_lock(hashtext('report:' || ?))`, [transactionId]);
    const [counted] = (await em.execute(
      `select to_char(day, 'YYYY-MM-DD') as day, transaction_type::text as type, transaction_status::text as status, payment_method as method,
         is_accessible_external as accessible, amount::text as amount
       from transaction_report_rows where transaction_id = ?`,
      [transactionId],
    )) as Contribution[];
    const [truth] = (await em.execute(
      `select to_char((created_at at time zone '${BUSINESS_TIME_ZONE}')::date, 'YYYY-MM-DD') as day, transaction_type::text as type,
         transaction_status::text as status, coalesce(payment_method::text, '') as method, is_accessible_external as accessible, amount::text as amount
       from historical_transactions where transaction_id = ?`,
      [transactionId],
    )) as Contribution[];
    if (counted && truth && same(counted, truth)) return;
    if (counted) await this.add(em, counted, -1);
    if (truth) {
      await this.add(em, truth, 1);
      await em.execute(
        `insert into transaction_report_rows (transaction_id, day, transaction_type, transaction_status, payment_method, is_accessible_external, amount)
         values (?, ?::date, ?::transaction_type, ?::transaction_status, ?, ?, ?::numeric)
         on conflict (transaction_id) do update set day = excluded.day, transaction_type = excluded.transaction_type,
           transaction_status = excluded.transaction_status, payment_method = excluded.payment_method,
           is_accessible_external = excluded.is_accessible_external, amount = excluded.amount, updated_at = now()`,
        [transactionId, truth.day, truth.type, truth.status, truth.method, truth.accessible, truth.amount],
      );
    } else if (counted) await em.execute(`delete from transaction_report_rows where transaction_id = ?`, [transactionId]);
  }

  private async add(em: EntityManager, c: Contribution, sign: 1 | -1): Promise<void> {
    await em.execute(
      `insert into transaction_daily_aggregates (day, transaction_type, transaction_status, payment_method, is_accessible_external, tx_count, amount)
       values (?::date, ?::transaction_type, ?::transaction_status, ?, ?, ?, ?::numeric * ?)
       on conflict (day, transaction_type, transaction_status, payment_method, is_accessible_external)
       do update set tx_count = transaction_daily_aggregates.tx_count + excluded.tx_count, amount = transaction_daily_aggregates.amount + excluded.amount`,
      [c.day, c.type, c.status, c.method, c.accessible, sign, c.amount, sign],
    );
  }
}
