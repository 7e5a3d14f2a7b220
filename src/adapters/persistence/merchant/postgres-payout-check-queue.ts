import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Orm } from '../orm.ts';
import { kysely } from '../kysely.ts';
import type { ClaimedPayout, PayoutCheckQueue } from '../../../domain/disbursement/payout-check-queue.ts';

/**
 * The payout checkers' claims on merchant_payouts. One statement claims a batch: the candidates
 * are read with FOR UPDATE SKIP LOCKED (two replicas claiming at once take different rows rather
 * than wait for each other), and only a row whose lease has expired is taken, so a payout is held
 * by one replica at a time. The lease is a deadline, not a lock held across the bank call: a
 * replica that stalls loses its claim when it expires, and its late release is fenced by the token.
 * The database's clock decides, one clock for every replica.
 */
export class PostgresPayoutCheckQueue implements PayoutCheckQueue {
  private readonly orm: Orm;

  constructor(orm: Orm) {
    this.orm = orm;
  }

  async claim(opts: { olderThan: Date; limit: number; leaseMs: number }): Promise<ClaimedPayout[]> {
    const token = randomUUID();
    const now = sql<Date>`now()`;
    const rows = await kysely(this.orm.em.fork())
      .with('candidates', (db) =>
        db
          .selectFrom('merchant_payouts')
          .select('reference')
          .where('status', '=', 'PENDING')
          .where('created_at', '<', opts.olderThan)
          .where('next_check_at', '<=', now)
          .where((eb) => eb.or([eb('check_lease_until', 'is', null), eb('check_lease_until', '<', now)]))
          .orderBy('created_at')
          .limit(opts.limit)
          .forUpdate()
          .skipLocked(),
      )
      .updateTable('merchant_payouts as p')
      .from('candidates as c')
      .set({ check_lease_token: token, check_lease_until: inMs(opts.leaseMs) })
      .whereRef('p.reference', '=', 'c.reference')
      .returning(['p.reference', 'p.checks', 'p.created_at'])
      .execute();
    return rows.sort((a, b) => a.created_at.getTime() - b.created_at.getTime()).map((r) => ({ reference: r.reference, checks: r.checks, token }));
  }

  async release(claim: ClaimedPayout, nextCheckInMs: number): Promise<void> {
    await kysely(this.orm.em.fork())
      .updateTable('merchant_payouts')
      .set((eb) => ({ checks: eb('checks', '+', 1), next_check_at: inMs(nextCheckInMs), check_lease_token: null, check_lease_until: null }))
      .where('reference', '=', claim.reference)
      .where('check_lease_token', '=', claim.token)
      .execute();
  }
}

/** The database's clock, `ms` milliseconds from now. */
const inMs = (ms: number) => sql<Date>`now() + ${ms} * interval '1 millisecond'`;
