import type { EntityManager } from '@mikro-orm/postgresql';
import type { ReportProjection } from '../../../domain/transaction/transaction-read.ports.ts';
import type { Orm } from '../orm.ts';
import { kysely } from '../kysely.ts';
import type { Money } from '../../../domain/shared/money.ts';
import type { TransactionStatus, TransactionType } from '../../../domain/ledger/transaction.ts';
import { BUSINESS_TIME_ZONE } from './postgres-transaction-read.repository.ts';

interface Contribution {
  /** YYYY-MM-DD: the driver hands a date over as that text. */
  day: string;
  type: TransactionType;
  status: TransactionStatus;
  method: string;
  accessible: boolean;
  /** numeric(15,2) as text ("10.50"): never negative, but multiplied by -1 when the contribution is taken back. */
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
      const claimed = await kysely(em)
        .insertInto('processed_messages')
        .values({ consumer, event_id: eventId, event_type: eventType })
        .onConflict((oc) => oc.doNothing())
        .returning('event_id')
        .execute();
      if (claimed.length === 0) return 'duplicate';
      await this.sync(em, transactionId);
      return 'applied';
    });
  }

  /** Brings one transaction's contribution in line with its row (also used to rebuild). */
  async sync(em: EntityManager, transactionId: string): Promise<void> {
    const k = kysely(em);
    await k.selectNoFrom((eb) => eb.fn('pg_advisory_xact_lock', [eb.fn('hashtext', [eb.val(`report:${transactionId}`)])]).as('locked')).execute();
    const countedRow = await k
      .selectFrom('transaction_report_rows')
      .select(['day', 'transaction_type', 'transaction_status', 'payment_method', 'is_accessible_external', 'amount'])
      .where('transaction_id', '=', transactionId)
      .executeTakeFirst();
    const truthRow = await k
      .selectFrom('historical_transactions')
      // timezone(zone, t) is `t at time zone zone`: the business day the transaction was created on.
      .select((eb) => [
        eb.cast<string>(eb.fn('timezone', [eb.val(BUSINESS_TIME_ZONE), 'created_at']), 'date').as('day'),
        'transaction_type',
        'transaction_status',
        'payment_method',
        'is_accessible_external',
        'amount',
      ])
      .where('transaction_id', '=', transactionId)
      .executeTakeFirst();
    const counted: Contribution | undefined = countedRow && {
      day: countedRow.day,
      type: countedRow.transaction_type,
      status: countedRow.transaction_status,
      method: countedRow.payment_method,
      accessible: countedRow.is_accessible_external,
      amount: countedRow.amount.toString(),
    };
    const truth: Contribution | undefined = truthRow && {
      day: truthRow.day,
      type: truthRow.transaction_type,
      status: truthRow.transaction_status,
      method: truthRow.payment_method ?? '',
      accessible: truthRow.is_accessible_external,
      amount: truthRow.amount.toString(),
    };
    if (counted && truth && same(counted, truth)) return;
    if (counted) await this.add(em, counted, -1);
    if (truth) {
      await this.add(em, truth, 1);
      await k
        .insertInto('transaction_report_rows')
        .values({
          transaction_id: transactionId,
          day: truth.day,
          transaction_type: truth.type,
          transaction_status: truth.status,
          payment_method: truth.method,
          is_accessible_external: truth.accessible,
          amount: truthRow!.amount,
        })
        .onConflict((oc) =>
          oc.column('transaction_id').doUpdateSet((eb) => ({
            day: eb.ref('excluded.day'),
            transaction_type: eb.ref('excluded.transaction_type'),
            transaction_status: eb.ref('excluded.transaction_status'),
            payment_method: eb.ref('excluded.payment_method'),
            is_accessible_external: eb.ref('excluded.is_accessible_external'),
            amount: eb.ref('excluded.amount'),
            updated_at: eb.fn('now'),
          })),
        )
        .execute();
    } else if (counted) await k.deleteFrom('transaction_report_rows').where('transaction_id', '=', transactionId).execute();
  }

  private async add(em: EntityManager, c: Contribution, sign: 1 | -1): Promise<void> {
    await kysely(em)
      .insertInto('transaction_daily_aggregates')
      .values((eb) => ({
        day: c.day,
        transaction_type: c.type,
        transaction_status: c.status,
        payment_method: c.method,
        is_accessible_external: c.accessible,
        tx_count: String(sign),
        // Money is never negative: a taken-back contribution is the amount times -1, in SQL.
        amount: eb(eb.cast(eb.val(c.amount), 'numeric'), '*', eb.val(sign)).$castTo<Money>(),
      }))
      .onConflict((oc) =>
        oc.columns(['day', 'transaction_type', 'transaction_status', 'payment_method', 'is_accessible_external']).doUpdateSet((eb) => ({
          tx_count: eb('transaction_daily_aggregates.tx_count', '+', eb.ref('excluded.tx_count')),
          amount: eb('transaction_daily_aggregates.amount', '+', eb.ref('excluded.amount')),
        })),
      )
      .execute();
  }
}
