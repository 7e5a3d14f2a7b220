import { randomUUID } from 'node:crypto';
import type { Orm } from '../orm.ts';
import type { ClaimedTopUp, TopUpReconcileQueue } from '../../../domain/ledger/top-up-reconcile-queue.ts';
import type { PaymentMethod } from '../../../domain/ledger/transaction.ts';

interface ClaimRow {
  transaction_id: string;
  payment_method: PaymentMethod;
  age_ms: string | number;
  checks: number;
  lease_token: string;
}

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
    const rows = (await this.orm.em.fork().execute(
      `with candidates as (
         select h.transaction_id
           from historical_transactions h
           left join top_up_reconciliation r on r.transaction_id = h.transaction_id
          where h.transaction_status = 'PENDING' and h.transaction_type = 'TOPUP' and h.created_at < ?
            and (r.transaction_id is null or (r.next_check_at <= now() and (r.lease_until is null or r.lease_until < now())))
          order by h.created_at
          limit ?
          for update of h skip locked),
       claimed as (
         insert into top_up_reconciliation (transaction_id, lease_token, lease_until)
         select transaction_id, ?::uuid, now() + ? * interval '1 millisecond' from candidates
         on conflict (transaction_id) do update
            set lease_token = excluded.lease_token, lease_until = excluded.lease_until, updated_at = now()
          where top_up_reconciliation.next_check_at <= now()
            and (top_up_reconciliation.lease_until is null or top_up_reconciliation.lease_until < now())
         returning transaction_id, checks, lease_token)
       select c.transaction_id, c.checks, c.lease_token::text as lease_token, h.payment_method::text as payment_method,
              floor(extract(epoch from (now() - h.created_at)) * 1000)::bigint as age_ms
         from claimed c join historical_transactions h on h.transaction_id = c.transaction_id
        order by h.created_at`,
      [opts.olderThan, opts.limit, token, opts.leaseMs],
    )) as ClaimRow[];
    return rows.map((r) => ({
      transactionId: r.transaction_id,
      paymentMethod: r.payment_method,
      ageMs: Number(r.age_ms),
      checks: r.checks,
      token: r.lease_token,
    }));
  }

  async release(claim: ClaimedTopUp, nextCheckInMs: number): Promise<void> {
    const em = this.orm.em.fork();
    // A top-up that is final no longer needs its row (the table holds only what is still unknown).
    const gone = (await em.execute(
      `delete from top_up_reconciliation r
        where r.transaction_id = ? and r.lease_token = ?::uuid
          and not exists (select 1 from historical_transactions h where h.transaction_id = r.transaction_id and h.transaction_status = 'PENDING')
        returning r.transaction_id`,
      [claim.transactionId, claim.token],
    )) as unknown[];
    if (gone.length > 0) return;
    await em.execute(
      `update top_up_reconciliation
          set checks = checks + 1, next_check_at = now() + ? * interval '1 millisecond', lease_token = null, lease_until = null, updated_at = now()
        where transaction_id = ? and lease_token = ?::uuid`,
      [nextCheckInMs, claim.transactionId, claim.token],
    );
  }
}
