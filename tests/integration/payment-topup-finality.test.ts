import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrm, type Orm } from '../../src/adapters/persistence/orm.ts';
import { PostgresTopUpReconcileQueue } from '../../src/adapters/persistence/payment/postgres-top-up-reconcile-queue.ts';
import { Money } from '../../src/domain/shared/money.ts';
import { createIsolatedDatabase } from '../support/isolated-database.ts';
import { balanceOf, createCustomer, paymentKit, type Customer } from '../support/payment-fixtures.ts';

// The top-up finality protocol over real PostgreSQL with the in-memory providers: several
// reconcilers on one database, and provider discrepancy cases settled exactly once. A database of
// its own: the reconcilers here settle every due PENDING top-up they find.
let db: Awaited<ReturnType<typeof createIsolatedDatabase>>;
let orm: Orm;
let kit: ReturnType<typeof paymentKit>;
beforeAll(async () => {
  db = await createIsolatedDatabase('onegate_finality');
  orm = await createOrm({ url: db.url, poolMax: 12 });
  kit = paymentKit(orm);
});
afterAll(async () => {
  await orm.close(true);
  await db.drop();
});

const m = (s: string) => Money.parse(s);
const sql = async <T>(q: string, p: unknown[] = []) => (await orm.em.getConnection().execute(q, p)) as T[];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const refundsOf = (id: string) =>
  sql<{ amount: string }>(`select amount::text from historical_transactions where related_transaction_id = ? and transaction_type = 'REFUND'`, [id]);

async function customer(balance = '100000.00'): Promise<Customer> {
  const c = await createCustomer(orm, { balance });
  kit.gopay.control.registerWallet(c.phone, { name: 'Finality' });
  return c;
}

/** A top-up we failed on NOT_FOUND and released, which the provider then applies anyway (it broke its window). */
async function failedThenCreditedByProvider(c: Customer, amount: string): Promise<string> {
  kit.gopay.control.behave('topup', { kind: 'error', status: 503 });
  const o = await kit.topUp.execute({ userId: c.userId, amount: m(amount), method: 'GOPAY', phone: c.phone });
  kit.gopay.control.resetBehaviours();
  const id = o.transaction.transactionId;
  await sleep(1800); // past the scaled-down fence and acceptance window: NOT_FOUND is final
  await kit.settle.execute(id, { notFoundIsFinal: true });
  expect((await kit.ledger.findByTransactionId(id))!.status).toBe('FAILED');
  kit.gopay.control.applyTopUp(id, c.phone, m(amount), null); // the provider credits the e-wallet late
  expect(kit.gopay.control.topUp(id)!.status).toBe('SUCCESS');
  return id;
}

describe('reconcilers on several replicas', () => {
  it('two reconcilers running at once ask about and settle each pending top-up once (claims are disjoint)', async () => {
    const c = await customer('1000000.00');
    const ids: string[] = [];
    kit.gopay.control.behave('topup', { kind: 'pending' }, 12);
    for (let i = 0; i < 12; i++)
      ids.push((await kit.topUp.execute({ userId: c.userId, amount: m('10000.00'), method: 'GOPAY', phone: c.phone })).transaction.transactionId);
    for (const [i, id] of ids.entries()) kit.gopay.control.settle(id, i % 3 === 0 ? 'FAILED' : 'SUCCESS');
    // A slow status inquiry widens the race: without the claim both replicas would ask about all twelve.
    kit.gopay.control.behave('status', { kind: 'slow', delayMs: 40 });
    const asked = kit.gopay.control.requests('status');
    // Small batches, so both replicas really work on the same set at the same time.
    const a = kit.reconcilerOf(3);
    const b = kit.reconcilerOf(3);
    try {
      let na = 0;
      let nb = 0;
      for (let round = 0; round < 4; round++) {
        const [x, y] = await Promise.all([a.runOnce(), b.runOnce()]);
        na += x;
        nb += y;
      }
      expect(na + nb).toBe(12);
      expect(na).toBeGreaterThan(0);
      expect(nb).toBeGreaterThan(0);
    } finally {
      kit.gopay.control.resetBehaviours();
    }
    expect(kit.gopay.control.requests('status') - asked).toBe(12);
    for (const [i, id] of ids.entries()) {
      expect((await kit.ledger.findByTransactionId(id))!.status).toBe(i % 3 === 0 ? 'FAILED' : 'SUCCESS');
      expect(await refundsOf(id)).toHaveLength(i % 3 === 0 ? 1 : 0);
    }
    expect(await balanceOf(orm, c.accountId)).toBe('920000.00'); // 8 succeeded, 4 released once each
  });

  it('a claim is a lease: a stalled replica loses it when it expires, and its late release cannot undo the new claim', async () => {
    const c = await customer();
    kit.gopay.control.behave('topup', { kind: 'pending' }, 1);
    const id = (await kit.topUp.execute({ userId: c.userId, amount: m('10000.00'), method: 'GOPAY', phone: c.phone })).transaction.transactionId;
    const q = new PostgresTopUpReconcileQueue(orm);
    const first = (await q.claim({ olderThan: new Date(Date.now() + 1000), limit: 100, leaseMs: 200 })).find((x) => x.transactionId === id)!;
    expect(first).toBeDefined();
    expect(first.ageMs).toBeGreaterThanOrEqual(0);
    expect((await q.claim({ olderThan: new Date(Date.now() + 1000), limit: 100, leaseMs: 200 })).some((x) => x.transactionId === id)).toBe(false); // held
    await sleep(300); // the holder stalls past its lease
    const second = (await q.claim({ olderThan: new Date(Date.now() + 1000), limit: 100, leaseMs: 10_000 })).find((x) => x.transactionId === id)!;
    expect(second).toBeDefined();
    await q.release(first, 0); // the stale holder wakes up: fenced by its token
    const [row] = await sql<{ lease_token: string | null; checks: number }>(
      `select lease_token::text, checks from top_up_reconciliation where transaction_id = ?`,
      [id],
    );
    expect(row).toEqual({ lease_token: second.token, checks: 0 });
    await q.release(second, 60_000);
    expect((await q.claim({ olderThan: new Date(Date.now() + 1000), limit: 100, leaseMs: 200 })).some((x) => x.transactionId === id)).toBe(false); // backed off
    kit.gopay.control.settle(id, 'SUCCESS');
    await kit.settle.execute(id);
  });
});

describe('a definite SUCCESS after we recorded FAILED', () => {
  it('is recorded once as a case (webhook and inquiry alike), and settling it re-debits the customer exactly once, even five at a time', async () => {
    const c = await customer();
    const id = await failedThenCreditedByProvider(c, '25000.00');
    expect(await balanceOf(orm, c.accountId)).toBe('100000.00'); // released: the money now exists twice
    await kit.settle.execute(id, { claimed: 'SUCCESS', via: 'webhook' }); // the provider's late notification
    await kit.settle.execute(id, { claimed: 'SUCCESS', via: 'webhook' }); // and its retry
    const open = await kit.discrepancies.list({ status: 'OPEN', limit: 100 });
    const mine = open.filter((d) => d.transactionId === id);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ kind: 'SUCCESS_AFTER_FAILED', paymentMethod: 'GOPAY', accountId: c.accountId, detectedVia: 'webhook', status: 'OPEN' });
    expect(mine[0]!.amount.toString()).toBe('25000.00');
    const [row] = await sql<{ detections: number }>(`select detections from provider_discrepancies where id = ?`, [mine[0]!.id]);
    expect(row!.detections).toBe(2);

    const settlement = await kit.ledger.systemBalance('GOPAY_SETTLEMENT');
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => kit.discrepancies.settle(mine[0]!.id, `op-${i}`)));
    expect(results.filter((r) => r.settled)).toHaveLength(1);
    for (const r of results) expect(r.discrepancy).toMatchObject({ status: 'RESOLVED', resolution: 'REDEBIT' });
    expect(await balanceOf(orm, c.accountId)).toBe('75000.00');
    expect((await kit.ledger.systemBalance('GOPAY_SETTLEMENT')).minus(settlement).toString()).toBe('25000.00');
    // What left the customer's account for this top-up equals what the provider credited.
    const [net] = await sql<{ net: string }>(
      `select (coalesce(sum(amount) filter (where transaction_type = 'TOPUP'), 0) - coalesce(sum(amount) filter (where transaction_type = 'REFUND'), 0))::text as net
         from historical_transactions where transaction_id = ? or related_transaction_id = ?`,
      [id, id],
    );
    expect(net!.net).toBe('25000.00');
    expect(kit.gopay.control.wallet(c.phone)!.balance.toString()).toBe('25000.00');
    const redebit = await kit.ledger.findByTransactionId(results.find((r) => r.settled)!.discrepancy.resolutionTransactionId!);
    expect(redebit).toMatchObject({ type: 'TOPUP', status: 'SUCCESS', relatedTransactionId: id });
    const [moves] = await sql<{ n: number; sum: string }>(`select count(*)::int as n, sum(amount)::text as sum from ledger_entries where movement_id = ?`, [
      results[0]!.discrepancy.resolutionMovementId,
    ]);
    expect(moves).toEqual({ n: 2, sum: '0.00' });
  });

  it('when the customer has spent the released money, the bank records the loss (FUNDING → settlement), once', async () => {
    const c = await customer('30000.00');
    const id = await failedThenCreditedByProvider(c, '20000.00');
    const friend = await createCustomer(orm);
    await kit.transfer.execute({ userId: c.userId, username: c.username, recipient: friend.accountId, amount: m('25000.00') });
    expect(await balanceOf(orm, c.accountId)).toBe('5000.00');
    await kit.settle.execute(id, { claimed: 'SUCCESS', via: 'webhook' });
    const [d] = (await kit.discrepancies.list({ status: 'OPEN', limit: 100 })).filter((x) => x.transactionId === id);
    const funding = await kit.ledger.systemBalance('FUNDING');
    const [a, b] = await Promise.all([kit.discrepancies.settle(d!.id, 'a'), kit.discrepancies.settle(d!.id, 'b')]);
    expect([a.settled, b.settled].sort()).toEqual([false, true]);
    expect(a.discrepancy.resolution).toBe('BANK_LOSS');
    expect(await balanceOf(orm, c.accountId)).toBe('5000.00');
    expect(funding.minus(await kit.ledger.systemBalance('FUNDING')).toString()).toBe('20000.00');
    expect(await kit.discrepancies.list({ status: 'OPEN', limit: 100 })).toEqual([]);
  });

  it('a notification that merely repeats a final status changes nothing and opens no case', async () => {
    const c = await customer();
    const o = await kit.topUp.execute({ userId: c.userId, amount: m('10000.00'), method: 'GOPAY', phone: c.phone });
    expect(o.kind).toBe('success');
    kit.gopay.control.behave('topup', { kind: 'decline' }, 1);
    const declined = await kit.topUp.execute({ userId: c.userId, amount: m('10000.00'), method: 'GOPAY', phone: c.phone });
    expect(declined.kind).toBe('failed');
    for (const [t, claimed] of [
      [o.transaction.transactionId, 'SUCCESS'],
      [declined.transaction.transactionId, 'SUCCESS'],
      [declined.transaction.transactionId, 'FAILED'],
    ] as const) {
      expect((await kit.settle.execute(t, { claimed, via: 'webhook' })).kind).toBe('already_final');
    }
    expect(await balanceOf(orm, c.accountId)).toBe('90000.00');
    expect((await kit.discrepancies.list({ limit: 100 })).filter((d) => d.accountId === c.accountId)).toEqual([]);
  });
});
