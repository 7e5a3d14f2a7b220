import { randomUUID } from 'node:crypto';
import type { Orm } from '../orm.ts';
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
    const rows = (await this.orm.em.fork().execute(
      `with candidates as (
         select reference from merchant_payouts
          where status = 'PENDING' and created_at < ? and next_check_at <= now()
            and (check_lease_until is null or check_lease_until < now())
          order by created_at
          limit ?
          for update skip locked)
       update merchant_payouts p
          set check_lease_token = ?::uuid, check_lease_until = now() + ? * interval '1 millisecond'
         from candidates c
        where p.reference = c.reference
       returning p.reference, p.checks, p.created_at`,
      [opts.olderThan, opts.limit, token, opts.leaseMs],
    )) as { reference: string; checks: number; created_at: Date }[];
    return rows
      .sort((a, b) => new Date(a.created_at).getTime() - new Date(b.created_at).getTime())
      .map((r) => ({ reference: r.reference, checks: r.checks, token }));
  }

  async release(claim: ClaimedPayout, nextCheckInMs: number): Promise<void> {
    await this.orm.em.fork().execute(
      `update merchant_payouts
          set checks = checks + 1, next_check_at = now() + ? * interval '1 millisecond', check_lease_token = null, check_lease_until = null
        where reference = ? and check_lease_token = ?::uuid`,
      [nextCheckInMs, claim.reference, claim.token],
    );
  }
}
