import { spawn } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrm, type Orm } from '../../src/adapters/persistence/orm.ts';
import { PostgresLedgerRepository } from '../../src/adapters/persistence/payment/postgres-ledger.repository.ts';
import { PostgresIdempotencyStore } from '../../src/adapters/persistence/idempotency/postgres-idempotency.store.ts';
import { idempotencyRecord } from '../../src/application/ports/idempotency.ts';
import { Money } from '../../src/domain/shared/money.ts';
import type { DomainError } from '../../src/domain/shared/domain-error.ts';
import { decideRefund, paymentLegs, refundLegs } from '../../src/domain/ledger/merchant-postings.ts';
import { BI_QRIS_FEE_TABLE, splitPayment } from '../../src/domain/merchant/mdr.ts';
import type { HistoryRow, Movement, PostingResult, Screen } from '../../src/domain/ledger/ledger.repository.ts';
import { requireEnv, uniq } from '../support/services.ts';
import type { IdempotencyClaim } from '../../src/application/ports/idempotency.ts';
import type { UnitOfWork } from '../../src/domain/shared/unit-of-work.ts';
import { balanceOf, createCustomer, createMerchant, type Customer } from '../support/payment-fixtures.ts';
import { PostgresRiskStore } from '../../src/adapters/persistence/risk/postgres-risk.store.ts';
import { RiskScreen } from '../../src/application/risk/risk-screen.ts';
import type { RiskStore } from '../../src/domain/risk/risk.repository.ts';
import type { RiskRule } from '../../src/domain/risk/risk-rules.ts';

// Group commit (issue 14): movements submitted together share one PostgreSQL transaction, each
// decided on its own. "One transaction" is checked on the rows themselves: every row a
// transaction writes carries its id (xmin).
type MerchantWithBalance = Awaited<ReturnType<typeof createMerchant>>;
let orm: Orm;
let ledger: PostgresLedgerRepository;
beforeAll(async () => {
  orm = await createOrm({ url: requireEnv('TEST_DATABASE_URL'), poolMax: 6 });
  // A window and one batch in flight, so that what is submitted together is written together.
  ledger = new PostgresLedgerRepository(orm, { topic: 'ledger-batch-test', batch: { max: 64, windowMs: 20, concurrency: 1 } });
});
afterAll(() => orm.close(true));

const m = (s: string) => Money.parse(s);
const sql = async <T>(q: string, p: unknown[] = []) => (await orm.em.getConnection().execute(q, p)) as T[];
let seq = 0;
const tid = (p: string) => `${p}-BATCH-${Date.now().toString(36)}-${++seq}`;

/** A payment of `amount` (the PAYMENT row given its transaction id), optionally in a unit of work. */
const payWith = (payer: Customer, merchant: MerchantWithBalance, amount: string, row: Partial<HistoryRow>, unit?: UnitOfWork<PostingResult>) =>
  ledger.post(
    {
      plan: () =>
        Promise.resolve(
          paymentLegs({
            payerAccountId: payer.accountId,
            merchantAccountId: merchant.accountId,
            split: splitPayment(m(amount), merchant, BI_QRIS_FEE_TABLE),
            row: { transactionId: tid('PAY'), type: 'PAYMENT', status: 'SUCCESS', ...row },
          }),
        ),
    },
    unit,
  );
const pay = (payer: Customer, merchant: MerchantWithBalance, amount: string, transactionId = tid('PAY'), description: string | null = null) =>
  payWith(payer, merchant, amount, {
    transactionId,
    description,
    metadata: { merchant_id: merchant.code, fee: splitPayment(m(amount), merchant, BI_QRIS_FEE_TABLE).fee.toString() },
  });
/** A transfer between two customers (the sender's row given its transaction id, and a screen when the fraud rules run). */
const transferMovement = (from: Customer, to: Customer, amount: string, transactionId = tid('TRF'), screen?: Screen): Movement => ({
  amount: m(amount),
  from: { accountId: from.accountId },
  to: { accountId: to.accountId },
  fromRule: 'active',
  toRule: 'active',
  toOthers: true,
  fromRow: { transactionId, type: 'TRANSFER', status: 'SUCCESS' },
  toRow: { transactionId: tid('TRF'), type: 'TRANSFER', status: 'SUCCESS' },
  screen,
});
const transfer = (from: Customer, to: Customer, amount: string): Promise<unknown> => ledger.move(transferMovement(from, to, amount));
const topUpDebit = (from: Customer, amount: string): Promise<unknown> =>
  ledger.move({
    amount: m(amount),
    from: { accountId: from.accountId },
    to: { system: 'GOPAY_SETTLEMENT' },
    fromRule: 'active',
    toRule: 'any',
    fromRow: { transactionId: tid('TOP'), type: 'TOPUP', status: 'PENDING', paymentMethod: 'GOPAY' },
  });
const refund = (payment: { transactionId: string; gross: string; fee: string }, payer: Customer, merchant: MerchantWithBalance, amount?: string) =>
  ledger.post({
    plan: async (reader) => {
      await reader.lockTransaction(payment.transactionId);
      const decision = decideRefund(
        { gross: m(payment.gross), fee: m(payment.fee) },
        await reader.refundedTotal(payment.transactionId),
        amount ? m(amount) : undefined,
      );
      return refundLegs({
        payerAccountId: payer.accountId,
        merchantAccountId: merchant.accountId,
        decision,
        row: { transactionId: tid('RFD'), type: 'REFUND', status: 'SUCCESS', relatedTransactionId: payment.transactionId },
      });
    },
  });

/** A payment whose response is stored under an Idempotency-Key claim, in the same transaction. */
const keyedPay = (payer: Customer, merchant: MerchantWithBalance, amount: string, claim: IdempotencyClaim, n: number, row: Partial<HistoryRow> = {}) =>
  payWith(payer, merchant, amount, row, { idempotency: () => idempotencyRecord(claim, 'complete', { status: 201, body: { n } }) });
const settled = <T>(ps: Promise<T>[]) => Promise.allSettled(ps);
const errorCode = (r: PromiseSettledResult<unknown>) => (r.status === 'rejected' ? ((r.reason as DomainError).code ?? String(r.reason)) : 'ok');
const transactionsOf = async (ids: string[]) =>
  (await sql<{ x: string }>(`select distinct xmin::text as x from historical_transactions where transaction_id = any(?::text[])`, [`{${ids.join(',')}}`])).map(
    (r) => r.x,
  );
const total = async () => (await sql<{ t: string }>(`select sum(balance)::text as t from accounts`))[0]!.t;

/** Every movement's journal sums to zero and each account's balance equals its journal. */
async function expectBooks(accountIds: string[]) {
  expect(await sql(`select movement_id from ledger_entries group by movement_id having sum(amount) <> 0`)).toEqual([]);
  for (const id of accountIds) {
    const [r] = await sql<{ j: string; b: string }>(
      `select coalesce((select sum(amount) from ledger_entries where account_id = ?), 0)::numeric(15,2)::text as j, balance::text as b from accounts where id = ?`,
      [id, id],
    );
    expect(r!.j).toBe(r!.b);
  }
}

describe('group commit: a batch of movements in one transaction', () => {
  it("one payment's insufficient funds fails only that payment; its neighbours commit in the same transaction", async () => {
    const merchant = await createMerchant(orm);
    const payers = await Promise.all([1, 2, 3, 4].map(() => createCustomer(orm, { balance: '100000.00' })));
    const poor = await createCustomer(orm, { balance: '10.00' });
    const ids = payers.map(() => tid('PAY'));
    const before = await total();
    const results = await settled([...payers.map((p, i) => pay(p, merchant, '50000.00', ids[i])), pay(poor, merchant, '50000.00')]);
    expect(results.map(errorCode)).toEqual(['ok', 'ok', 'ok', 'ok', 'INSUFFICIENT_FUNDS']);
    expect(await transactionsOf(ids)).toHaveLength(1);
    for (const p of payers) expect(await balanceOf(orm, p.accountId)).toBe('50000.00');
    expect(await balanceOf(orm, poor.accountId)).toBe('10.00');
    // 4 × (50,000 − 0.7% fee)
    expect(await balanceOf(orm, merchant.accountId)).toBe('198600.00');
    expect(await total()).toBe(before);
    await expectBooks([...payers, poor].map((p) => p.accountId).concat(merchant.accountId));
  });

  it("the domain decides each movement against the balances the batch's earlier movements left", async () => {
    const merchant = await createMerchant(orm);
    const payer = await createCustomer(orm, { balance: '100000.00' });
    const results = await settled([
      pay(payer, merchant, '40000.00'),
      pay(payer, merchant, '40000.00'),
      pay(payer, merchant, '40000.00'),
      pay(payer, merchant, '20000.00'),
    ]);
    expect(results.map(errorCode)).toEqual(['ok', 'ok', 'INSUFFICIENT_FUNDS', 'ok']);
    expect(await balanceOf(orm, payer.accountId)).toBe('0.00');
    await expectBooks([payer.accountId, merchant.accountId]);
  });

  it('a batch mixing payments, transfers, refunds and top-ups on the same accounts keeps every rule and the total', async () => {
    const merchant = await createMerchant(orm);
    const a = await createCustomer(orm, { balance: '200000.00' });
    const b = await createCustomer(orm, { balance: '100000.00' });
    // An earlier payment of B's, refunded twice in the batch: the second asks for more than is left.
    const earlier = tid('PAY');
    await pay(b, merchant, '60000.00', earlier);
    const paid = { transactionId: earlier, gross: '60000.00', fee: '420.00' };
    const before = await total();
    const results = await settled([
      pay(a, merchant, '50000.00'),
      transfer(a, b, '30000.00'),
      refund(paid, b, merchant, '40000.00'),
      topUpDebit(a, '70000.00'),
      refund(paid, b, merchant, '30000.00'), // 20,000 left after the first refund in this batch
      transfer(b, a, '10000.00'),
      topUpDebit(a, '60000.00'), // 200,000 − 50,000 − 30,000 − 70,000 + 10,000 = 60,000: exactly enough
      pay(a, merchant, '1.00'), // nothing left
    ]);
    expect(results.map(errorCode)).toEqual(['ok', 'ok', 'ok', 'ok', 'REFUND_EXCEEDS_PAYMENT', 'ok', 'ok', 'INSUFFICIENT_FUNDS']);
    const rows = results.flatMap((r) =>
      r.status === 'fulfilled'
        ? (('rows' in (r.value as object)
            ? (r.value as PostingResult).rows
            : [(r.value as { fromRow: unknown }).fromRow, (r.value as { toRow: unknown }).toRow]) as ({ transactionId: string } | null)[])
        : [],
    );
    expect(await transactionsOf(rows.filter((x) => x !== null).map((x) => x!.transactionId))).toHaveLength(1);
    expect(await balanceOf(orm, a.accountId)).toBe('0.00');
    expect(await balanceOf(orm, b.accountId)).toBe('100000.00'); // 100,000 − 60,000 + 30,000 + 40,000 − 10,000
    expect(await total()).toBe(before);
    await expectBooks([a.accountId, b.accountId, merchant.accountId]);
  });

  it('a batch whose write fails (one request lost its idempotency claim) is retried movement by movement: only that one fails, nothing twice', async () => {
    const store = new PostgresIdempotencyStore(orm, { leaseSeconds: 30, retentionSeconds: 3600 });
    const merchant = await createMerchant(orm);
    const payers = await Promise.all([1, 2, 3].map(() => createCustomer(orm, { balance: '100000.00' })));
    const claims: IdempotencyClaim[] = [];
    for (const p of payers) {
      const c = await store.begin({ userId: p.userId, route: 'test.batch', key: uniq('k-'), requestHash: 'a'.repeat(64) });
      if (c.kind !== 'claimed') throw new Error('not claimed');
      claims.push(c.claim);
    }
    // The second request's claim is taken over (as after an expired lease): its completion must fail.
    await sql(`update idempotency_keys set owner = gen_random_uuid() where user_id = ? and route = 'test.batch'`, [payers[1]!.userId]);
    const ids = payers.map(() => tid('PAY'));
    const results = await settled(payers.map((p, i) => keyedPay(p, merchant, '10000.00', claims[i]!, i, { transactionId: ids[i]! })));
    expect(results.map(errorCode)).toEqual(['ok', 'IDEMPOTENCY_KEY_IN_FLIGHT', 'ok']);
    expect(
      (await sql<{ c: number }>(`select count(*)::int as c from historical_transactions where transaction_id = any(?::text[])`, [`{${ids.join(',')}}`]))[0]!.c,
    ).toBe(2);
    expect(await balanceOf(orm, payers[1]!.accountId)).toBe('100000.00');
    const done = await sql<{ user_id: number }>(
      `select user_id from idempotency_keys where route = 'test.batch' and status = 'DONE' and user_id = any(?::int[])`,
      [`{${payers.map((p) => p.userId).join(',')}}`],
    );
    expect(done.map((d) => d.user_id).sort()).toEqual([payers[0]!.userId, payers[2]!.userId].sort());
  });

  it('writes a batch of keyed payments with one statement, and answers the rows exactly as stored (ids and times built before the write)', async () => {
    const store = new PostgresIdempotencyStore(orm, { leaseSeconds: 30, retentionSeconds: 3600 });
    const merchant = await createMerchant(orm);
    const payers = await Promise.all([1, 2, 3, 4].map(() => createCustomer(orm, { balance: '1000.00' })));
    const claims: IdempotencyClaim[] = [];
    for (const p of payers) {
      const c = await store.begin({ userId: p.userId, route: 'test.batch.one', key: uniq('k-'), requestHash: 'b'.repeat(64) });
      if (c.kind !== 'claimed') throw new Error('not claimed');
      claims.push(c.claim);
    }
    // Every statement the ledger sends through the connection (BEGIN and COMMIT are not among them).
    const proto = Object.getPrototypeOf(orm.em.getConnection()) as { execute: (...a: unknown[]) => Promise<unknown> };
    const original = proto.execute;
    const seen: string[] = [];
    proto.execute = function (this: unknown, ...a: unknown[]) {
      seen.push(String(a[0]));
      return original.apply(this, a);
    };
    let results: PostingResult[];
    try {
      results = await Promise.all(
        payers.map((p, i) => keyedPay(p, merchant, '100.00', claims[i]!, i, { description: `n° ${i}`, metadata: { i, note: "it's" } })),
      );
    } finally {
      proto.execute = original;
    }
    // The locks (one statement for all accounts) and the writes (balances, rows, events, journal, keys).
    expect(seen.map((q) => q.trim().split(/\s+/)[0])).toEqual(['select', 'with']);
    expect(await transactionsOf(results.map((r) => r.rows[0]!.transactionId))).toHaveLength(1);
    for (const r of results) {
      const answered = r.rows[0]!;
      const [stored] = await sql<Record<string, unknown>>(`select * from historical_transactions where id = ?`, [answered.id]);
      expect(stored).toBeDefined();
      expect({
        transactionId: answered.transactionId,
        amount: answered.amount.toString(),
        balanceAfter: answered.balanceAfter.toString(),
        description: answered.description,
        metadata: answered.metadata,
        createdAt: answered.createdAt.toISOString(),
        updatedAt: answered.updatedAt.toISOString(),
      }).toEqual({
        transactionId: stored!.transaction_id,
        amount: stored!.amount,
        balanceAfter: stored!.balance_after,
        description: stored!.description,
        metadata: JSON.parse(String(stored!.metadata)),
        createdAt: new Date(String(stored!.created_at)).toISOString(),
        updatedAt: new Date(String(stored!.updated_at)).toISOString(),
      });
      expect(answered.balanceAfter.toString()).toBe('900.00');
      // Its event carries the same row.
      const [event] = await sql<{ payload: { payload: { id: string; created_at: string } } }>(
        `select payload from outbox_events where topic = 'ledger-batch-test' and payload->'payload'->>'transaction_id' = ?`,
        [answered.transactionId],
      );
      expect(event!.payload.payload).toMatchObject({ id: answered.id, created_at: answered.createdAt.toISOString() });
    }
    const done = await sql<{ n: number }>(
      `select count(*)::int as n from idempotency_keys where route = 'test.batch.one' and status = 'DONE' and response_status = 201`,
    );
    expect(done[0]!.n).toBe(4);
    await expectBooks([merchant.accountId, ...payers.map((p) => p.accountId)]);
  });

  it('a batch whose COMMIT fails is retried movement by movement: the poisoned one fails alone, the others are applied exactly once', async () => {
    // A deferred constraint trigger fails the COMMIT (not a statement) of any transaction holding a poisoned row.
    await sql(`create or replace function ledger_batch_test_poison() returns trigger language plpgsql as $$
      begin if new.description = 'poison-commit' then raise exception 'poisoned commit'; end if; return null; end $$`);
    await sql(`drop trigger if exists ledger_batch_test_poison on historical_transactions`);
    await sql(
      `create constraint trigger ledger_batch_test_poison after insert on historical_transactions deferrable initially deferred for each row execute function ledger_batch_test_poison()`,
    );
    try {
      const merchant = await createMerchant(orm);
      const payers = await Promise.all([1, 2, 3, 4].map(() => createCustomer(orm, { balance: '100000.00' })));
      const ids = payers.map(() => tid('PAY'));
      const before = await total();
      const results = await settled(payers.map((p, i) => pay(p, merchant, '10000.00', ids[i], i === 2 ? 'poison-commit' : null)));
      expect(results.map((r) => (r.status === 'fulfilled' ? 'ok' : 'failed'))).toEqual(['ok', 'ok', 'failed', 'ok']);
      expect(String((results[2] as PromiseRejectedResult).reason)).toMatch(/poisoned commit/);
      const counts = await sql<{ transaction_id: string; c: number }>(
        `select transaction_id, count(*)::int as c from historical_transactions where transaction_id = any(?::text[]) group by 1`,
        [`{${ids.join(',')}}`],
      );
      expect(counts.map((c) => c.c)).toEqual([1, 1, 1]);
      expect(await balanceOf(orm, payers[2]!.accountId)).toBe('100000.00');
      for (const i of [0, 1, 3]) expect(await balanceOf(orm, payers[i]!.accountId)).toBe('90000.00');
      expect(await total()).toBe(before);
      await expectBooks([...payers.map((p) => p.accountId), merchant.accountId]);
    } finally {
      await sql(`drop trigger if exists ledger_batch_test_poison on historical_transactions`);
      await sql(`drop function if exists ledger_batch_test_poison()`);
    }
  });

  it('a process killed in the middle of a batch applies nothing of it', async () => {
    const merchant = await createMerchant(orm);
    const payers = await Promise.all([1, 2, 3].map(() => createCustomer(orm, { balance: '100000.00' })));
    const ids = payers.map(() => tid('PAY'));
    const before = await total();
    // Hold the merchant's row: the child's batch gets as far as its locks and waits there, mid-batch.
    const holder = new pg.Client({ connectionString: requireEnv('TEST_DATABASE_URL') });
    await holder.connect();
    try {
      await holder.query('begin');
      await holder.query(`select id from accounts where id = $1 for update`, [merchant.accountId]);
      const holderPid = (await holder.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
      const child = spawn(process.execPath, ['tests/support/ledger-batch-child.ts'], {
        env: {
          ...process.env,
          CHILD_DATABASE_URL: requireEnv('TEST_DATABASE_URL'),
          CHILD_MERCHANT: JSON.stringify(merchant),
          CHILD_PAYERS: JSON.stringify(payers.map((p) => p.accountId)),
          CHILD_IDS: JSON.stringify(ids),
        },
        stdio: 'inherit',
      });
      const blocked = async () =>
        (await sql<{ pid: number }>(`select pid from pg_stat_activity where ? = any(pg_blocking_pids(pid))`, [holderPid])).map((r) => r.pid);
      for (let i = 0; i < 400 && (await blocked()).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
      const batchPids = await blocked();
      expect(batchPids).toHaveLength(1);
      // The batch has begun and holds the payers' row locks; kill the process before it can commit.
      expect(await sql(`select 1 from pg_locks where pid = ? and granted and locktype = 'transactionid'`, [batchPids[0]])).not.toEqual([]);
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      await holder.query('rollback');
      // The server notices the dead client when the batch's next statement answers: its transaction rolls back.
      for (let i = 0; i < 400 && (await sql(`select 1 from pg_stat_activity where pid = ? and state <> 'idle'`, [batchPids[0]])).length > 0; i++)
        await new Promise((r) => setTimeout(r, 50));
    } finally {
      await holder.end();
    }
    expect(
      (await sql<{ c: number }>(`select count(*)::int as c from historical_transactions where transaction_id = any(?::text[])`, [`{${ids.join(',')}}`]))[0]!.c,
    ).toBe(0);
    for (const p of payers) expect(await balanceOf(orm, p.accountId)).toBe('100000.00');
    expect(await balanceOf(orm, merchant.accountId)).toBe('0.00');
    expect(await total()).toBe(before);
  });
});

// The fraud rules in a batch: the screen decides each movement at its turn, under the batch's
// locks, against what the batch's earlier movements left. The rules are kept in memory (counting
// the reads) so that switching them on here holds nobody else's movements on this database; the
// figures, the holds and the block log are the real store's.
describe('group commit: screened movements (the fraud rules) in a batch', () => {
  let rules: RiskRule[] = [];
  let reads = 0;
  const real = new PostgresRiskStore({} as Orm);
  const store: RiskStore = {
    rules: () => {
      reads++;
      return Promise.resolve(rules);
    },
    figures: (tx, s, req) => real.figures(tx, s, req),
    hold: (tx, e, held) => real.hold(tx, e, held),
    logBlock: () => Promise.resolve(),
  };
  const risk = new RiskScreen(store);
  const velocity = (outcome: RiskRule['outcome'], maxCount: number): RiskRule[] => [
    { code: 'VELOCITY', enabled: true, outcome, params: { windowSeconds: 3600, maxCount, maxAmount: 1_000_000_000n } },
  ];
  const screenedTransfer = (from: Customer, to: Customer, amount: string, transactionId = tid('TRF')) =>
    risk.run({ kind: 'TRANSFER', payerAccountId: from.accountId, counterpartyAccountId: to.accountId, amount: m(amount).minor }, (screen) =>
      ledger.move(transferMovement(from, to, amount, transactionId, screen)),
    );
  const casesOf = (payer: string) => sql<{ transaction_id: string }>(`select transaction_id from risk_cases where payer_account_id = ?`, [payer]);

  it("velocity counts the batch's earlier movements of the same payer: exactly maxCount pass, the rest are held, all in one transaction, the rules read once", async () => {
    rules = velocity('REVIEW', 3);
    reads = 0;
    const a = await createCustomer(orm, { balance: '1000.00' });
    const b = await createCustomer(orm);
    const other = await createCustomer(orm, { balance: '1000.00' });
    const ids = Array.from({ length: 8 }, () => tid('TRF'));
    const holdBefore = await ledger.systemBalance('RISK_HOLD');
    const before = await total();
    const results = await Promise.all([...ids.map((id) => screenedTransfer(a, b, '10.00', id)), screenedTransfer(other, b, '5.00')]);
    expect(results.map((r) => (r.toRow ? 'paid' : 'held'))).toEqual(['paid', 'paid', 'paid', 'held', 'held', 'held', 'held', 'held', 'paid']);
    expect(await transactionsOf(ids)).toHaveLength(1);
    expect(reads).toBe(1);
    expect(await balanceOf(orm, a.accountId)).toBe('920.00');
    expect(await balanceOf(orm, b.accountId)).toBe('35.00');
    expect((await ledger.systemBalance('RISK_HOLD')).minus(holdBefore).toString()).toBe('50.00');
    expect((await casesOf(a.accountId)).map((c) => c.transaction_id).sort()).toEqual(ids.slice(3).sort());
    expect(await total()).toBe(before);
    await expectBooks([a.accountId, b.accountId, other.accountId]);
  });

  it('a block fails only its own movement; a hold whose movement then fails leaves no case behind, and its neighbours commit', async () => {
    rules = velocity('BLOCK', 2);
    const a = await createCustomer(orm, { balance: '1000.00' });
    const b = await createCustomer(orm);
    const blocked = await settled([1, 2, 3, 4].map(() => screenedTransfer(a, b, '10.00')));
    expect(blocked.map(errorCode)).toEqual(['ok', 'ok', 'RISK_BLOCKED', 'RISK_BLOCKED']);
    expect(await balanceOf(orm, a.accountId)).toBe('980.00');

    // Every transfer is held; the poor payer's hold is written, then its debit is refused: the hold goes with it.
    rules = velocity('REVIEW', 0);
    const poor = await createCustomer(orm, { balance: '1.00' });
    const rich = await createCustomer(orm, { balance: '100.00' });
    const ids = [tid('TRF'), tid('TRF')];
    const held = await settled([screenedTransfer(poor, b, '50.00', ids[0]), screenedTransfer(rich, b, '50.00', ids[1])]);
    expect(held.map(errorCode)).toEqual(['INSUFFICIENT_FUNDS', 'ok']);
    expect(await casesOf(poor.accountId)).toEqual([]);
    expect(await sql(`select 1 from risk_evaluations where payer_account_id = ?`, [poor.accountId])).toEqual([]);
    expect((await casesOf(rich.accountId)).map((c) => c.transaction_id)).toEqual([ids[1]]);
    expect(await balanceOf(orm, poor.accountId)).toBe('1.00');
    expect(await balanceOf(orm, rich.accountId)).toBe('50.00');
    await expectBooks([a.accountId, b.accountId, poor.accountId, rich.accountId]);
  });

  it('with every rule off, screened payments batch like the others: one transaction, one read of the rules', async () => {
    rules = velocity('BLOCK', 0).map((r) => ({ ...r, enabled: false }));
    reads = 0;
    const merchant = await createMerchant(orm);
    const payers = await Promise.all([1, 2, 3, 4, 5].map(() => createCustomer(orm, { balance: '100.00' })));
    const ids = payers.map(() => tid('PAY'));
    await Promise.all(
      payers.map((p, i) =>
        risk.run({ kind: 'PAYMENT', payerAccountId: p.accountId, counterpartyAccountId: merchant.accountId, amount: m('10.00').minor }, (screen) =>
          ledger.post({
            plan: () =>
              Promise.resolve(
                paymentLegs({
                  payerAccountId: p.accountId,
                  merchantAccountId: merchant.accountId,
                  split: splitPayment(m('10.00'), merchant, BI_QRIS_FEE_TABLE),
                  row: { transactionId: ids[i]!, type: 'PAYMENT', status: 'SUCCESS' },
                }),
              ),
            screen,
          }),
        ),
      ),
    );
    expect(await transactionsOf(ids)).toHaveLength(1);
    expect(reads).toBe(1);
    for (const p of payers) expect(await balanceOf(orm, p.accountId)).toBe('90.00');
  });
});
