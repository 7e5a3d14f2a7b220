import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { createOrm, type Orm } from '../../src/adapters/persistence/orm.ts';
import { Money } from '../../src/domain/shared/money.ts';
import type { DisbursementProvider } from '../../src/domain/disbursement/disbursement-provider.ts';
import { InMemoryDisbursementProvider } from '../../src/adapters/memory/in-memory-disbursement-provider.ts';
import { PostgresPayoutRepository } from '../../src/adapters/persistence/merchant/postgres-payout.repository.ts';
import { PostgresPayoutCheckQueue } from '../../src/adapters/persistence/merchant/postgres-payout-check-queue.ts';
import { PayoutMerchantHandler } from '../../src/application/merchant/payout-merchant.handler.ts';
import { CheckPayoutHandler } from '../../src/application/merchant/check-payout.handler.ts';
import { PayoutChecker } from '../../src/application/merchant/payout-checker.ts';
import { MerchantStatementQuery } from '../../src/application/merchant/merchant-statement.query.ts';
import { createIsolatedDatabase } from '../support/isolated-database.ts';
import { createCustomer, createMerchant, paymentKit } from '../support/payment-fixtures.ts';

// A database of its own: a checker claims every PENDING payout of its database, and other suites'
// payouts (their own fake banks) must be neither claimed by these workers nor left to them.
let db: Awaited<ReturnType<typeof createIsolatedDatabase>>;
let orm: Orm;
let kit: ReturnType<typeof paymentKit>;
let bank: InMemoryDisbursementProvider;
/** Status inquiries per reference, whichever worker asked. */
const asked = new Map<string, number>();
let handler: PayoutMerchantHandler;
let check: CheckPayoutHandler;
beforeAll(async () => {
  db = await createIsolatedDatabase('onegate_payout_checker');
  orm = await createOrm({ url: db.url, poolMax: 12 });
  kit = paymentKit(orm);
  bank = new InMemoryDisbursementProvider();
  const counting: DisbursementProvider = {
    transfer: (o) => bank.transfer(o),
    status: (ref) => {
      asked.set(ref, (asked.get(ref) ?? 0) + 1);
      return bank.status(ref);
    },
  };
  const bankDeps = { payouts: new PostgresPayoutRepository(orm, kit.ledger), provider: counting };
  handler = new PayoutMerchantHandler({ ...bankDeps, merchants: kit.merchants });
  check = new CheckPayoutHandler(bankDeps);
});
afterAll(async () => {
  await orm?.close(true);
  await db?.drop();
});

const sql = async <T>(q: string, p: unknown[] = []) => (await orm.em.getConnection().execute(q, p)) as T[];
const balance = async (code: string) => (await kit.merchants.findByCode(code))!.balance.toString();
/** A replica's checker: its own queue, the same database and bank. Polls nothing by itself (runOnce). */
const worker = (leaseMs = 10_000) =>
  new PayoutChecker(
    new PostgresPayoutCheckQueue(orm),
    check,
    { intervalMs: 60_000, olderThanSeconds: 0, leaseMs, backoffMaxMs: 600_000 },
    pino({ level: 'silent' }),
  );

/** A DONATION merchant (no fee) owed `net`, and a payout of it the bank left in the state `fault` makes. */
async function unknownPayout(net: string, fault: Parameters<InMemoryDisbursementProvider['control']['behave']>[1]) {
  const merchant = await createMerchant(orm, { category: 'DONATION' });
  const c = await createCustomer(orm, { balance: net });
  await kit.pay.execute({ userId: c.userId, amount: Money.parse(net), merchantId: merchant.code });
  bank.control.behave('transfer', fault);
  const p = await handler.execute({ merchantCode: merchant.code });
  expect(p.status).toBe('PENDING');
  expect(await balance(merchant.code)).toBe('0.00');
  return { merchant, p };
}

describe('the payout checker', () => {
  it('settles a payout left unknown (a 5xx: the bank never got it) by sending the same reference again; one still unknown waits for its back-off, then is settled', async () => {
    const { merchant, p } = await unknownPayout('3000.00', { kind: 'error' });
    expect(bank.control.transfer(p.reference)).toBeNull();
    const w = worker();
    expect(await w.runOnce()).toBe(1);
    expect((await check.execute(p.reference)).status).toBe('SUCCESS');
    expect(bank.control.transfer(p.reference)!.amount.toString()).toBe('3000.00');
    expect(await balance(merchant.code)).toBe('0.00');

    // The bank's status call times out: unknown, never a failure; the payout is due again only after its back-off.
    const late = await unknownPayout('1200.00', { kind: 'pending' });
    bank.control.behave('status', { kind: 'timeout' });
    expect(await w.runOnce()).toBe(0);
    const [row] = await sql<{ status: string; checks: number; due_later: boolean }>(
      `select status, checks, next_check_at > now() + interval '30 seconds' as due_later from merchant_payouts where reference = ?`,
      [late.p.reference],
    );
    expect(row).toEqual({ status: 'PENDING', checks: 1, due_later: true });
    expect(await w.runOnce()).toBe(0); // not due: not asked
    expect(asked.get(late.p.reference)).toBe(1);
    await sql(`update merchant_payouts set next_check_at = now() where reference = ?`, [late.p.reference]); // the back-off passed
    bank.control.settle(late.p.reference, 'SUCCESS');
    expect(await w.runOnce()).toBe(1);
    expect((await kit.merchants.findByCode(late.merchant.code))!.balance.toString()).toBe('0.00');
    expect((await check.execute(late.p.reference)).status).toBe('SUCCESS');
  });

  it('two workers at once never check, nor settle, one payout twice', async () => {
    const payouts = await Promise.all(Array.from({ length: 6 }, (_, i) => unknownPayout(`${1000 + i}.00`, { kind: 'pending' })));
    for (const { p } of payouts) bank.control.settle(p.reference, 'SUCCESS');
    // Slow answers, so that the two passes overlap for their whole length.
    bank.control.behave('status', { kind: 'slow', delayMs: 100 }, 12);
    const [a, b] = await Promise.all([worker().runOnce(), worker().runOnce()]);
    expect(a + b).toBe(6);
    for (const { p } of payouts) {
      expect(asked.get(p.reference)).toBe(1);
      expect((await check.execute(p.reference)).status).toBe('SUCCESS');
    }
    bank.control.resetBehaviours();
  });

  it('a bank FAILED returns the money exactly once, however many workers and operators apply it at once', async () => {
    const { merchant, p } = await unknownPayout('4500.00', { kind: 'pending' });
    bank.control.settle(p.reference, 'FAILED', 'ACCOUNT_CLOSED');
    // An expired lease on every pass (1 ms): nothing but the payout's own PENDING → FAILED gate stands between them.
    const results = await Promise.all([worker(1).runOnce(), worker(1).runOnce(), worker(1).runOnce(), check.execute(p.reference), check.execute(p.reference)]);
    expect(results).toHaveLength(5);
    expect(await check.execute(p.reference)).toMatchObject({ status: 'FAILED', failureReason: 'ACCOUNT_CLOSED' });
    expect(await balance(merchant.code)).toBe('4500.00');
    expect(await sql(`select 1 from ledger_entries where transaction_id = ?`, [`${p.reference}:RETURN`])).toHaveLength(2);
    const { statement } = await new MerchantStatementQuery(kit.merchants).execute(merchant.code, '2000-01-01', '2100-12-31');
    expect(statement.lines.map((l) => l.kind)).toEqual(['PAYMENT', 'PAYOUT', 'PAYOUT_RETURNED']);
    expect(statement.closing.toString()).toBe('4500.00');
    expect(await worker().runOnce()).toBe(0); // final: never claimed again
  });

  it('a claim taken by a worker that stalls past its lease goes to another worker, and the stalled one cannot release it', async () => {
    const { p } = await unknownPayout('800.00', { kind: 'pending' });
    const queue = new PostgresPayoutCheckQueue(orm);
    const stalled = await queue.claim({ olderThan: new Date(), limit: 10, leaseMs: 1 });
    expect(stalled.map((c) => c.reference)).toEqual([p.reference]);
    await new Promise((r) => setTimeout(r, 20)); // the 1 ms lease is over
    const taken = await queue.claim({ olderThan: new Date(), limit: 10, leaseMs: 10_000 });
    expect(taken.map((c) => c.reference)).toEqual([p.reference]);
    await queue.release(stalled[0]!, 0); // fenced: the token is no longer the lease's
    expect(await queue.claim({ olderThan: new Date(), limit: 10, leaseMs: 10_000 })).toEqual([]);
    await queue.release(taken[0]!, 0);
    bank.control.settle(p.reference, 'SUCCESS');
    expect(await worker().runOnce()).toBe(1);
  });
});
