import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Orm } from '../orm.ts';
import { kysely } from '../kysely.ts';
import type { ClaimedTopUp, TopUpReconcileQueue } from '../../../domain/ledger/top-up-reconcile-queue.ts';

/**
 * The reconcilers' claims in top_up_reconciliation. One statement claims a batch: the candidates
 * are read with FOR UPDATE SKIP LOCKED (two replicas claiming at once take different rows instead
 * of waiting on each other), and the upsert's WHERE only takes a row whose lease has expired, so a
 * top-up is held by one replica at a time. The lease is a deadline rather than a lock held across
 * the provider call: a replica that stalls (SIGSTOP, partition) loses its claim when it expires,
 * and its late release is fenced off by the token.
 */
export class PostgresTopUpReconcileQueue implements TopUpReconcileQueue {
  private readonly orm: Orm;

  constructor(orm: Orm) {
    this.orm = orm;
  }

  async claim(opts: { olderThan: Date; limit: number; leaseMs: number }): Promise<ClaimedTopUp[]> {
    const token = randomUUID();
    const now = sql<Date>`now()`;
    const rows = await kysely(this.orm.em.fork())
      .with('candidates', (db) =>
        db
          .selectFrom('historical_transactions as h')
          .leftJoin('top_up_reconciliation as r', 'r.transaction_id', 'h.transaction_id')
          .select('h.transaction_id')
          .where('h.transaction_status', '=', 'PENDING')
          .where('h.transaction_type', '=', 'TOPUP')
          .where('h.created_at', '<', opts.olderThan)
          .where((eb) =>
            eb.or([
              eb('r.transaction_id', 'is', null),
              eb.and([eb('r.next_check_at', '<=', now), eb.or([eb('r.lease_until', 'is', null), eb('r.lease_until', '<', now)])]),
            ]),
          )
          .orderBy('h.created_at')
          .limit(opts.limit)
          .forUpdate('h')
          .skipLocked(),
      )
      .with('claimed', (db) =>
        db
          .insertInto('top_up_reconciliation')
          .columns(['transaction_id', 'lease_token', 'lease_until'])
          .expression((eb) =>
            eb
              .selectFrom('candidates')
              .select((c) => ['transaction_id', c.cast<string>(c.val(token), 'uuid').as('lease_token'), inMs(opts.leaseMs).as('lease_until')]),
          )
          .onConflict((oc) =>
            oc
              .column('transaction_id')
              .doUpdateSet((eb) => ({ lease_token: eb.ref('excluded.lease_token'), lease_until: eb.ref('excluded.lease_until'), updated_at: now }))
              .where('top_up_reconciliation.next_check_at', '<=', now)
              .where((eb) => eb.or([eb('top_up_reconciliation.lease_until', 'is', null), eb('top_up_reconciliation.lease_until', '<', now)])),
          )
          .returning(['transaction_id', 'checks', 'lease_token']),
      )
      .selectFrom('claimed as c')
      .innerJoin('historical_transactions as h', 'h.transaction_id', 'c.transaction_id')
      .select([
        'c.transaction_id',
        'c.checks',
        'c.lease_token',
        'h.payment_method',
        // The top-up's age by the database's clock (the one every replica shares).
        sql<string>`floor(extract(epoch from (now() - h.created_at)) * 1000)::bigint`.as('age_ms'),
      ])
      .orderBy('h.created_at')
      .execute();
    return rows.map((r) => ({
      transactionId: r.transaction_id,
      // The candidates are top-ups, and a top-up always has its method.
      paymentMethod: r.payment_method!,
      ageMs: Number(r.age_ms),
      checks: r.checks,
      token: r.lease_token!,
    }));
  }

  async release(claim: ClaimedTopUp, nextCheckInMs: number): Promise<void> {
    const db = kysely(this.orm.em.fork());
    // A top-up that is final no longer needs its row (the table holds only what is still unknown).
    const gone = await db
      .deleteFrom('top_up_reconciliation as r')
      .where('r.transaction_id', '=', claim.transactionId)
      .where('r.lease_token', '=', claim.token)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('historical_transactions as h')
              .select('h.id')
              .whereRef('h.transaction_id', '=', 'r.transaction_id')
              .where('h.transaction_status', '=', 'PENDING'),
          ),
        ),
      )
      .returning('r.transaction_id')
      .execute();
    if (gone.length > 0) return;
    await db
      .updateTable('top_up_reconciliation')
      .set((eb) => ({ checks: eb('checks', '+', 1), next_check_at: inMs(nextCheckInMs), lease_token: null, lease_until: null, updated_at: sql<Date>`now()` }))
      .where('transaction_id', '=', claim.transactionId)
      .where('lease_token', '=', claim.token)
      .execute();
  }
}

/** The database's clock, `ms` milliseconds from now. */
const inMs = (ms: number) => sql<Date>`now() + ${ms} * interval '1 millisecond'`;
