import type { Orm } from '../../src/adapters/persistence/orm.ts';
import { Money } from '../../src/domain/shared/money.ts';
import type { SandboxesUnderTest } from './remote-sandboxes.ts';
import type { SandboxBehaviour } from '../../src/adapters/ewallet/sandbox/sandbox-wallets.ts';
import type { MerchantCategory } from '../../src/domain/merchant/merchant.ts';
import { createMerchant } from './payment-fixtures.ts';
import { PostgresMerchantRepository } from '../../src/adapters/persistence/merchant/postgres-merchant.repository.ts';
import { MerchantStatementQuery } from '../../src/application/merchant/merchant-statement.query.ts';
import { PostgresLedgerRepository } from '../../src/adapters/persistence/payment/postgres-ledger.repository.ts';
import { PostgresPayoutRepository } from '../../src/adapters/persistence/merchant/postgres-payout.repository.ts';
import { InMemoryDisbursementProvider } from '../../src/adapters/memory/in-memory-disbursement-provider.ts';
import { PayoutMerchantHandler } from '../../src/application/merchant/payout-merchant.handler.ts';
import { CheckPendingPayoutsHandler } from '../../src/application/merchant/check-pending-payouts.handler.ts';
import type { DisbursementBehaviour } from '../../src/domain/disbursement/disbursement-provider.ts';
import { statementExceptions } from './statement-reconciliation.ts';
import { PostgresAccountRepository } from '../../src/adapters/persistence/payment/postgres-account.repository.ts';
import { FreezeAccountHandler } from '../../src/application/payment/freeze-account/freeze-account.handler.ts';
import { UnfreezeAccountHandler } from '../../src/application/payment/unfreeze-account/unfreeze-account.handler.ts';
import { FreezeMerchantHandler } from '../../src/application/merchant/freeze-merchant.handler.ts';
import { UnfreezeMerchantHandler } from '../../src/application/merchant/unfreeze-merchant.handler.ts';
import { FREEZE_LEVELS } from '../../src/domain/wallet/freeze.ts';
import type { SandboxTransfers } from '../../src/adapters/disbursement/sandbox/sandbox-transfers.ts';
import { PostgresRiskStore } from '../../src/adapters/persistence/risk/postgres-risk.store.ts';
import { DecideRiskCaseHandler } from '../../src/application/risk/decide-risk-case.handler.ts';

/**
 * The bank test, in the manner of Jepsen's: concurrent clients move money at random over many
 * accounts (top-ups through providers that time out, fail, decline and settle late; payments;
 * transfers; refunds; balance reads) while a checker watches the whole ledger. Shared by the short
 * version in `npm test` and the long one in bench/bank-invariant.ts.
 */
export interface BankClient {
  userId: number;
  username: string;
  phone: string;
  token: string;
}

export interface WorkloadOptions {
  /** Where the server is now (it may move when a fault test restarts it). */
  baseUrl: () => string;
  orm: Orm;
  clients: BankClient[];
  adminToken: string;
  /** In-process sandboxes, or those of another process (the topology harness): see remote-sandboxes.ts. */
  sandboxes: SandboxesUnderTest;
  operations: number;
  concurrency: number;
  /** Inject provider faults while running. */
  faults: boolean;
  /**
   * A late answer: the provider holds a top-up this long before applying it, longer than our
   * call's worst case and than the reconcile delay, but inside its acceptance window (the platform
   * must wait for it, never fail and release it). Default 2000 ms.
   */
  lateAnswerMs?: number;
  /**
   * The payout use cases to drive (pay out, check the pending) and the book of its bank (e.g. the platform's own, over its
   * disbursement sandbox, with its payout checker running); default: the use case over an
   * in-memory fake bank on this database.
   */
  payouts?: { handler: PayoutMerchantHandler; checkPending: CheckPendingPayoutsHandler; bank: SandboxTransfers };
  /**
   * The platform's topic of transaction events (KAFKA_TOPIC_TRANSACTIONS): the reviewer's
   * decisions change customers' history, and their events must reach the same read model as the
   * platform's own. Default 'transaction-events', the platform's default.
   */
  eventsTopic?: string;
  log?: (line: string) => void;
}

export interface WorkloadStats {
  attempted: Record<string, number>;
  statuses: Record<string, number>;
  checks: number;
  violations: string[];
  serverErrors: string[];
  /** The bank the payouts went to: finalInvariants' other side of the payout boundary. */
  bank: SandboxTransfers;
}

/** The merchants the workload pays: three fee cases (0.7%, 0.6%, 0.3% with its free threshold). */
export const BANK_MERCHANTS: { code: string; category: MerchantCategory }[] = [
  { code: 'MERCHANT-1', category: 'REGULAR' },
  { code: 'MERCHANT-2', category: 'EDUCATION' },
  { code: 'WARUNG-3', category: 'MICRO' },
];

const rand = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!;
const amount = (min: number, max: number) => `${Math.floor(min + Math.random() * (max - min))}.${String(Math.floor(Math.random() * 100)).padStart(2, '0')}`;

/** Sum and minimum over every account, customers and the bank's own, in one consistent snapshot. */
export async function ledgerSnapshot(orm: Orm): Promise<{ total: string; min: string; negative: number }> {
  const [row] = (await orm.em.getConnection().execute(
    // BANK_CAPITAL is below zero by design (the counterpart of FUNDING's opening movement); every other account must not be.
    `select sum(balance)::text as total, min(balance) filter (where system_code is distinct from 'BANK_CAPITAL')::text as min,
       count(*) filter (where balance < 0 and system_code is distinct from 'BANK_CAPITAL')::int as negative from accounts`,
  )) as [{ total: string; min: string; negative: number }];
  return row;
}

export async function runBankWorkload(o: WorkloadOptions): Promise<WorkloadStats> {
  // Payouts go through the disbursement port's bank, with its faults, straight to the use case (an operator command).
  const fakeBank = o.payouts ? { control: o.payouts.bank } : new InMemoryDisbursementProvider();
  const stats: WorkloadStats = { attempted: {}, statuses: {}, checks: 0, violations: [], serverErrors: [], bank: fakeBank.control };
  for (const m of BANK_MERCHANTS) await createMerchant(o.orm, m);
  const merchantRepo = new PostgresMerchantRepository(o.orm);
  const fakePayouts = () => {
    const bank = {
      payouts: new PostgresPayoutRepository(o.orm, new PostgresLedgerRepository(o.orm, { topic: 'bank-payouts' })),
      provider: fakeBank as InMemoryDisbursementProvider,
    };
    return { handler: new PayoutMerchantHandler({ ...bank, merchants: merchantRepo }), checkPending: new CheckPendingPayoutsHandler(bank) };
  };
  const { handler: payoutHandler, checkPending: checkPendingPayouts } = o.payouts ?? fakePayouts();
  // Tiers in the mix (issue 15): every fourth client starts UNREGISTERED, so its transfers are
  // refused (KYC_REQUIRED) and what it receives is capped by the lower balance limit.
  const unregistered = o.clients.filter((_, i) => i % 4 === 3);
  for (const c of unregistered) await o.orm.em.getConnection().execute(`update accounts set kyc_tier = 'UNREGISTERED' where user_id = ?`, [c.userId]);
  // Freezes in the mix: operators freeze and unfreeze clients and merchants at random levels while money moves.
  const accountRepo = new PostgresAccountRepository(o.orm);
  const freezer = new FreezeAccountHandler(accountRepo);
  const unfreezer = new UnfreezeAccountHandler(accountRepo);
  const merchantFreezer = new FreezeMerchantHandler(merchantRepo);
  const merchantUnfreezer = new UnfreezeMerchantHandler(merchantRepo);
  const initial = await ledgerSnapshot(o.orm);
  const review = riskReviewer(o.orm, stats, o.eventsTopic ?? 'transaction-events');
  const payments: string[] = [];
  const topUps: { reference: string; method: 'GOPAY' | 'SHOPEE_PAY' }[] = [];
  let remaining = o.operations;
  let running = true;

  const call = async (kind: string, method: string, path: string, token: string, body?: unknown) => {
    stats.attempted[kind] = (stats.attempted[kind] ?? 0) + 1;
    let res: Response;
    let json: { meta: { code: string; error?: string }; data: Record<string, unknown> | null };
    try {
      res = await fetch(`${o.baseUrl()}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': `${kind}-${Math.random().toString(36).slice(2)}` },
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(30_000),
      });
      json = (await res.json()) as typeof json;
    } catch {
      // The server died mid-request (fault injection): the outcome is unknown to this client.
      const label = `${kind} network-error`;
      stats.statuses[label] = (stats.statuses[label] ?? 0) + 1;
      await new Promise((r) => setTimeout(r, 200)); // let it come back rather than burn operations
      return { status: 0, json: { meta: { code: '0' }, data: null } };
    }
    const label = `${kind} ${res.status}${json.meta.error ? ` ${json.meta.error}` : ''}`;
    stats.statuses[label] = (stats.statuses[label] ?? 0) + 1;
    // 502/503/504 are the providers' faults reported honestly; anything else 5xx is a bug.
    if (res.status >= 500 && ![502, 503, 504].includes(res.status)) stats.serverErrors.push(`${label}: ${JSON.stringify(json.meta)}`);
    return { status: res.status, json };
  };

  const operation = async () => {
    const me = rand(o.clients);
    const roll = Math.random();
    if (roll < 0.3) {
      const method = rand(['GOPAY', 'SHOPEE_PAY'] as const);
      const r = await call('topup', 'POST', '/api/payment/wallet/topup', me.token, {
        amount: amount(10000, 60000),
        payment_method: method,
        phone_number: me.phone,
      });
      if (r.json.data?.transaction_id) topUps.push({ reference: String(r.json.data.transaction_id), method });
    } else if (roll < 0.55) {
      const r = await call('payment', 'POST', '/api/payment/payments', me.token, { amount: amount(1000, 40000), merchant_id: rand(BANK_MERCHANTS).code });
      if (r.status === 201 && r.json.data) payments.push(String(r.json.data.transaction_id));
    } else if (roll < 0.8) {
      const to = rand(o.clients.filter((c) => c !== me));
      await call('transfer', 'POST', '/api/payment/transfers', me.token, { recipient: rand([to.username, to.phone]), amount: amount(1000, 30000) });
    } else if (roll < 0.84) {
      const merchant = rand(BANK_MERCHANTS).code;
      const faults: (DisbursementBehaviour | null)[] = [null, { kind: 'fail' }, { kind: 'timeout' }, { kind: 'error' }, { kind: 'pending' }];
      const fault = o.faults ? rand(faults) : null;
      if (fault) fakeBank.control.behave('transfer', fault);
      stats.attempted.payout = (stats.attempted.payout ?? 0) + 1;
      try {
        const p = await payoutHandler.execute({ merchantCode: merchant, amount: Money.parse(amount(1000, 20000)) });
        const label = `payout ${p.status}`;
        stats.statuses[label] = (stats.statuses[label] ?? 0) + 1;
      } catch (err) {
        const label = `payout ${(err as { code?: string }).code ?? 'error'}`;
        stats.statuses[label] = (stats.statuses[label] ?? 0) + 1;
        if (!(err as { code?: string }).code) stats.serverErrors.push(`${label}: ${String(err)}`);
      }
    } else if (roll < 0.9 && payments.length) {
      await call('refund', 'POST', '/api/payment/admin/refunds', o.adminToken, {
        transaction_id: rand(payments),
        ...(Math.random() < 0.5 ? { amount: amount(500, 5000) } : {}),
      });
    } else if (roll < 0.93) {
      // An operator's freeze or unfreeze of a client or a merchant (the CLI's use cases).
      const level = rand(FREEZE_LEVELS);
      const merchant = Math.random() < 0.3 ? rand(BANK_MERCHANTS).code : null;
      const label = `freeze ${merchant ? 'merchant' : 'account'}`;
      stats.attempted[label] = (stats.attempted[label] ?? 0) + 1;
      try {
        if (merchant) {
          const m = await merchantRepo.findByCode(merchant);
          await (m?.freeze ? merchantUnfreezer.execute(merchant) : merchantFreezer.execute(merchant, { level, reason: 'bank workload', operator: 'workload' }));
        } else {
          const a = (await accountRepo.findByUserId(me.userId))!;
          await (a.freeze ? unfreezer.execute(a.id) : freezer.execute({ accountId: a.id, level, reason: 'bank workload', operator: 'workload' }));
        }
        stats.statuses[`${label} ok`] = (stats.statuses[`${label} ok`] ?? 0) + 1;
      } catch (err) {
        // Two operators racing on one account: the second unfreeze finds nothing to lift.
        const code = (err as { code?: string }).code;
        stats.statuses[`${label} ${code ?? 'error'}`] = (stats.statuses[`${label} ${code ?? 'error'}`] ?? 0) + 1;
        if (!code) stats.serverErrors.push(`${label}: ${String(err)}`);
      }
    } else {
      const r = await call('balance', 'GET', '/api/payment/balance', me.token);
      if (r.status === 200 && String(r.json.data?.balance).startsWith('-')) stats.violations.push(`negative balance read by ${me.username}`);
    }
  };

  const checker = (async () => {
    while (running) {
      const s = await ledgerSnapshot(o.orm);
      stats.checks++;
      if (s.total !== initial.total) stats.violations.push(`total changed: ${initial.total} → ${s.total}`);
      if (s.negative > 0) stats.violations.push(`${s.negative} negative balance(s), min ${s.min}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();

  const reviewer = (async () => {
    while (running) {
      await review.decidePending();
      await new Promise((r) => setTimeout(r, 150));
    }
  })();

  const chaos = (async () => {
    if (!o.faults) return;
    const behaviours: SandboxBehaviour[] = [
      { kind: 'hang' },
      { kind: 'error', status: 503 },
      { kind: 'decline', reason: 'LIMIT_EXCEEDED' },
      { kind: 'pending', settleTo: 'SUCCESS', settleAfterMs: 300 },
      { kind: 'pending', settleTo: 'FAILED', settleAfterMs: 300 },
      { kind: 'pending' },
      { kind: 'slow', delayMs: 150 },
    ];
    // Answers after our timeout and after the reconcile delay (issue 10 item 2): for four top-up
    // attempts in a row, so every attempt of a top-up is late and the reconciler meets "not found".
    const late: SandboxBehaviour = { kind: 'slow', delayMs: o.lateAnswerMs ?? 2000 };
    while (running) {
      try {
        const sandbox = rand([o.sandboxes.gopay, o.sandboxes.shopeepay]);
        if (Math.random() < 0.1) await sandbox.control.behave('topup', late, 4);
        else await sandbox.control.behave(rand(['topup', 'status', 'account'] as const), rand(behaviours), 1 + Math.floor(Math.random() * 2));
        // A late webhook: the provider notifies again about a top-up already final (a retry, a replay).
        const old = topUps.length ? rand(topUps) : undefined;
        const control = old && (old.method === 'GOPAY' ? o.sandboxes.gopay : o.sandboxes.shopeepay).control;
        const t = old && (await control!.topUp(old.reference));
        if (t && t.status !== 'PENDING' && Math.random() < 0.3) await control!.notify?.(t);
      } catch {
        // A sandbox in a process of its own may be down (the topology nemesis restarts it): no fault injected this round.
      }
      await new Promise((r) => setTimeout(r, 40));
    }
  })();

  await Promise.all(
    Array.from({ length: o.concurrency }, async () => {
      while (remaining-- > 0) await operation();
    }),
  );
  running = false;
  await Promise.all([checker, chaos, reviewer]);
  // Lift every freeze the mix left, so the final payout and the settlement of pending top-ups run as usual.
  await o.orm.em
    .getConnection()
    .execute(`update accounts set freeze_level = null, freeze_reason = null, frozen_at = null, frozen_by = null where freeze_level is not null`);
  // Every held movement is decided before the end checks (nothing may stay PENDING).
  while (await review.decidePending()) {
    /* until no case is left */
  }
  // The bank answers every payout it still holds, then payout-check applies the answers.
  fakeBank.control.resetBehaviours();
  // One payout with the bank healthy, from whichever merchant was paid: the random mix alone leaves
  // a short run without a successful payout now and then, and the run must always exercise one.
  for (const m of BANK_MERCHANTS) {
    try {
      const p = await payoutHandler.execute({ merchantCode: m.code, amount: Money.parse('500.00') });
      stats.statuses[`payout ${p.status}`] = (stats.statuses[`payout ${p.status}`] ?? 0) + 1;
      break;
    } catch (err) {
      // A refusal (this merchant's balance does not cover it): try the next one.
      if (!(err as { code?: string }).code) stats.serverErrors.push(`final payout: ${String(err)}`);
    }
  }
  for (const p of await checkPendingPayouts.execute({ olderThan: new Date(Date.now() + 60_000), limit: 10_000 })) {
    if (fakeBank.control.transfer(p.reference)?.status === 'PENDING')
      fakeBank.control.settle(p.reference, Math.random() < 0.5 ? 'SUCCESS' : 'FAILED', 'BANK_REJECTED');
  }
  await checkPendingPayouts.execute({ olderThan: new Date(Date.now() + 60_000), limit: 10_000 });
  for (const sb of [o.sandboxes.gopay, o.sandboxes.shopeepay]) await untilAnswered(() => sb.control.resetBehaviours());
  return stats;
}

/**
 * Fraud-rule holds in the mix: a first payment or transfer of Rp20,000 or more to a counterparty
 * is held for review (NEW_COUNTERPARTY, REVIEW), so holds stay a small share of a long run too.
 * The reviewer decides the pending cases as they come, at random, a third of them twice at once
 * with opposite decisions: exactly one may apply (the other finds the case decided).
 */
function riskReviewer(orm: Orm, stats: WorkloadStats, topic: string) {
  const store = new PostgresRiskStore(orm);
  const decide = new DecideRiskCaseHandler(store, new PostgresLedgerRepository(orm, { topic }));
  const enabled = orm.em
    .getConnection()
    .execute(`update risk_rules set enabled = true, outcome = 'REVIEW', params = '{"minAmount": "2000000"}' where code = 'NEW_COUNTERPARTY'`);
  const count = (label: string) => (stats.statuses[label] = (stats.statuses[label] ?? 0) + 1);
  return {
    /** Decides the pending cases; false when there were none. */
    async decidePending(): Promise<boolean> {
      await enabled;
      const cases = await store.listCases({ status: 'PENDING', limit: 100 });
      for (const c of cases) {
        const first = rand(['APPROVE', 'REJECT'] as const);
        const decisions = Math.random() < 0.3 ? ([first, first === 'APPROVE' ? 'REJECT' : 'APPROVE'] as const) : [first];
        const results = await Promise.all(
          decisions.map((decision) =>
            decide.execute({ caseId: c.id, decision, operator: 'bank-reviewer' }).then(
              (r) => r.settled.applied,
              (err: { code?: string }) => err.code ?? String(err),
            ),
          ),
        );
        const applied = results.filter((r) => r === true).length;
        if (applied > 1) stats.violations.push(`risk case ${c.id} decided ${applied} times`);
        const refused = results.find((r) => typeof r === 'string');
        // An approval the recipient's state refuses (its limits, its status) leaves the case pending: it is rejected next round.
        if (refused && applied === 0 && !/^[A-Z_]+$/.test(refused)) stats.serverErrors.push(`risk decision: ${refused}`);
        if (applied === 1) count(`review ${(await store.findCase(c.id))!.status}`);
      }
      return cases.length > 0;
    },
  };
}

/** A sandbox in a process of its own may be restarting (the topology nemesis): wait for it, up to 2 minutes. */
async function untilAnswered(call: () => unknown): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await call();
      return;
    } catch (err) {
      if (i >= 240) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** Settles what the providers still hold: explicitly pending top-ups are told to succeed. */
export async function settleProviderPending(sandboxes: SandboxesUnderTest, references: string[]): Promise<void> {
  for (const sb of [sandboxes.gopay, sandboxes.shopeepay]) {
    for (const ref of references) {
      const t = await sb.control.topUp(ref);
      if (t && t.status === 'PENDING') await sb.control.settle(ref, 'SUCCESS');
    }
  }
}

/** The end-of-run checks; returns the violations found (empty when the bank is sound). */
export async function finalInvariants(
  orm: Orm,
  initialTotal: string,
  sandboxes: SandboxesUnderTest,
  opts: { walletsFromZero?: string[]; bank?: SandboxTransfers } = {},
): Promise<string[]> {
  const conn = orm.em.getConnection();
  const v: string[] = [];
  const s = await ledgerSnapshot(orm);
  if (s.total !== initialTotal) v.push(`total changed: ${initialTotal} → ${s.total}`);
  if (s.negative > 0) v.push(`${s.negative} negative balance(s)`);

  // Every account's balance is the replay of its journal, from the balance it had before its first entry.
  const mismatched = (await conn.execute(`
    select a.id, a.balance::text as balance, (first.balance_before + coalesce(sum(e.amount), 0))::text as replay
      from accounts a
      join ledger_entries e on e.account_id = a.id
      join lateral (select balance_before from ledger_entries f where f.account_id = a.id order by f.id limit 1) first on true
     group by a.id, a.balance, first.balance_before
    having a.balance <> first.balance_before + coalesce(sum(e.amount), 0)`)) as { id: string; balance: string; replay: string }[];
  for (const m of mismatched) v.push(`account ${m.id}: balance ${m.balance} but journal replays to ${m.replay}`);

  // Each entry chains from the previous one of its account: nothing applied twice or skipped.
  const [chain] = (await conn.execute(`
    select count(*)::int as breaks from (
      select balance_before, lag(balance_after) over (partition by account_id order by id) as prev from ledger_entries) x
     where prev is not null and prev <> balance_before`)) as [{ breaks: number }];
  if (chain.breaks > 0) v.push(`${chain.breaks} journal entries do not chain from their predecessor`);

  // Every movement balances, and a transaction id belongs to one movement only.
  const [unbalanced] = (await conn.execute(
    `select count(*)::int as n from (select movement_id from ledger_entries group by movement_id having sum(amount) <> 0) x`,
  )) as [{ n: number }];
  if (unbalanced.n > 0) v.push(`${unbalanced.n} movements do not sum to zero`);
  const [twice] = (await conn.execute(
    `select count(*)::int as n from (select transaction_id from ledger_entries group by transaction_id having count(distinct movement_id) > 1) x`,
  )) as [{ n: number }];
  if (twice.n > 0) v.push(`${twice.n} transactions applied in more than one movement`);

  // Every merchant's balance is its statement: opening 0.00 (merchants start empty), every line, closing = balance.
  const merchants = new PostgresMerchantRepository(orm);
  for (const m of await merchants.list()) {
    const { statement } = await new MerchantStatementQuery(merchants).execute(m.code, '2000-01-01', '2100-12-31');
    if (!statement.opening.isZero() || !statement.closing.equals(m.balance))
      v.push(`merchant ${m.code}: balance ${m.balance.toString()} but statement ${statement.opening.toString()} → ${statement.closing.toString()}`);
  }
  // Every payout is final, and PAYOUT_SETTLEMENT holds exactly the successful ones.
  const [payouts] = (await conn.execute(`
    select count(*) filter (where status = 'PENDING')::int as pending,
           coalesce(sum(amount) filter (where status = 'SUCCESS'), 0)::numeric(15,2)::text as paid,
           (select balance from accounts where system_code = 'PAYOUT_SETTLEMENT')::text as settlement
      from merchant_payouts`)) as [{ pending: number; paid: string; settlement: string }];
  if (payouts.pending > 0) v.push(`${payouts.pending} payouts still PENDING`);
  if (payouts.paid !== payouts.settlement) v.push(`PAYOUT_SETTLEMENT ${payouts.settlement} but successful payouts ${payouts.paid}`);
  if (opts.bank) v.push(...(await payoutBoundary(orm, opts.bank)));
  // FEE_REVENUE holds exactly the fees charged less the fees given back by refunds.
  const [fees] = (await conn.execute(`
    select (select balance from accounts where system_code = 'FEE_REVENUE')::text as balance,
           (coalesce(sum((metadata::jsonb ->> 'fee')::numeric) filter (where transaction_type = 'PAYMENT'), 0)
            - coalesce(sum((metadata::jsonb ->> 'fee_reversed')::numeric) filter (where transaction_type = 'REFUND'), 0))::numeric(15,2)::text as expected
      from historical_transactions where transaction_type in ('PAYMENT', 'REFUND') and transaction_status = 'SUCCESS' and metadata like '{%'`)) as [
    { balance: string; expected: string },
  ];
  if (fees.balance !== fees.expected) v.push(`FEE_REVENUE ${fees.balance} but fees charged less reversed ${fees.expected}`);

  const [pending] = (await conn.execute(`select count(*)::int as n from historical_transactions where transaction_status = 'PENDING'`)) as [{ n: number }];
  if (pending.n > 0) v.push(`${pending.n} transactions still PENDING`);
  // Held money: RISK_HOLD keeps exactly the movements still held (none at the end), and every case agrees with its row.
  const [hold] = (await conn.execute(`
    select (select balance from accounts where system_code = 'RISK_HOLD')::text as balance,
           (select coalesce(sum(amount), 0) from risk_cases where status = 'PENDING')::numeric(15,2)::text as held,
           (select count(*)::int from risk_cases c join historical_transactions h on h.transaction_id = c.transaction_id
             where (c.status, h.transaction_status::text) not in (('PENDING', 'PENDING'), ('APPROVED', 'SUCCESS'), ('REJECTED', 'FAILED'))) as disagree`)) as [
    { balance: string; held: string; disagree: number },
  ];
  if (hold.balance !== hold.held) v.push(`RISK_HOLD ${hold.balance} but held cases ${hold.held}`);
  if (hold.disagree > 0) v.push(`${hold.disagree} risk cases disagree with their transaction's status`);

  // Our view of every top-up agrees with the provider's, and so does the money across the
  // boundary: what left the customer's account for it (debit − releases + re-debits of a settled
  // discrepancy case, + the bank's loss when the case was booked against it) equals what the
  // provider credited to the e-wallet. (Re-debit rows are TOPUPs linked to the original: not
  // provider references themselves.)
  const topups = (await conn.execute(`
    select t.transaction_id, t.transaction_status::text as status, t.payment_method::text as method, t.amount::text as amount,
           (t.amount
             - coalesce((select sum(r.amount) from historical_transactions r where r.related_transaction_id = t.transaction_id and r.transaction_type = 'REFUND' and r.transaction_status = 'SUCCESS'), 0)
             + coalesce((select sum(r.amount) from historical_transactions r where r.related_transaction_id = t.transaction_id and r.transaction_type = 'TOPUP'), 0))::text as net,
           d.status as case_status, d.resolution
      from historical_transactions t
      left join provider_discrepancies d on d.transaction_id = t.transaction_id
     where t.transaction_type = 'TOPUP' and t.related_transaction_id is null`)) as {
    transaction_id: string;
    status: string;
    method: string;
    amount: string;
    net: string;
    case_status: string | null;
    resolution: string | null;
  }[];
  const credited = new Map<string, Money>();
  for (const t of topups) {
    const sb = t.method === 'GOPAY' ? sandboxes.gopay : sandboxes.shopeepay;
    const theirs = await sb.control.topUp(t.transaction_id);
    const providerStatus = theirs?.status ?? 'NEVER_SEEN';
    const settledCase = t.case_status === 'RESOLVED' && t.status === 'FAILED' && providerStatus === 'SUCCESS';
    const agrees =
      t.status === 'SUCCESS'
        ? providerStatus === 'SUCCESS'
        : t.status === 'FAILED'
          ? providerStatus === 'FAILED' || providerStatus === 'NEVER_SEEN' || settledCase
          : false;
    if (!agrees)
      v.push(`top-up ${t.transaction_id}: ours ${t.status}, provider ${providerStatus}${t.case_status ? ` (discrepancy case ${t.case_status})` : ''}`);
    const intoWallet = providerStatus === 'SUCCESS' ? Money.parse(t.amount) : Money.zero();
    const outOfBank = Money.parse(t.net).plus(t.resolution === 'BANK_LOSS' ? Money.parse(t.amount) : Money.zero());
    if (!outOfBank.equals(intoWallet))
      v.push(`top-up ${t.transaction_id}: ${outOfBank.toString()} left our books, the provider credited ${intoWallet.toString()}`);
    if (theirs && providerStatus === 'SUCCESS')
      credited.set(`${t.method} ${theirs.phone}`, (credited.get(`${t.method} ${theirs.phone}`) ?? Money.zero()).plus(theirs.amount));
  }
  // E-wallet side: each wallet that started at 0.00 holds exactly what our top-ups credited.
  for (const phone of opts.walletsFromZero ?? []) {
    for (const [method, sb] of [
      ['GOPAY', sandboxes.gopay],
      ['SHOPEE_PAY', sandboxes.shopeepay],
    ] as const) {
      const w = await sb.control.wallet(phone);
      const expected = credited.get(`${method} ${w?.phone ?? phone}`) ?? Money.zero();
      if (w && !w.balance.equals(expected)) v.push(`${method} wallet ${phone}: holds ${w.balance.toString()}, our top-ups credited ${expected.toString()}`);
    }
  }
  // The providers' daily statements reconcile with the ledger: zero exceptions (issue 17).
  v.push(...(await statementExceptions(orm, sandboxes)));
  return v;
}

/**
 * The money across the payout boundary, per payout: our view agrees with the bank's (SUCCESS with
 * SUCCESS; FAILED with FAILED or a transfer it never received), the same amount and account, and
 * what left the merchant's account for it (the payout's movement less its return) equals what the
 * bank credited. Per merchant: the statement's payouts equal what the bank credited to it; and the
 * bank holds no transfer we have no payout for.
 */
export async function payoutBoundary(orm: Orm, bank: SandboxTransfers): Promise<string[]> {
  const v: string[] = [];
  const rows = (await orm.em.getConnection().execute(`
    select p.reference, m.code as merchant, p.status, p.amount::text as amount, p.bank_account_number as account,
           (-coalesce(sum(e.amount), 0))::numeric(15,2)::text as out_of_merchant
      from merchant_payouts p
      join merchants m on m.id = p.merchant_id
      join accounts a on a.merchant_id = p.merchant_id
      left join ledger_entries e on e.account_id = a.id and e.transaction_id in (p.reference, p.reference || ':RETURN')
     group by p.reference, m.code, p.status, p.amount, p.bank_account_number`)) as {
    reference: string;
    merchant: string;
    status: string;
    amount: string;
    account: string;
    out_of_merchant: string;
  }[];
  const creditedTo = new Map<string, Money>();
  for (const p of rows) {
    const theirs = bank.find(p.reference);
    const bankStatus = theirs?.status ?? 'NEVER_SEEN';
    const agrees = p.status === 'SUCCESS' ? bankStatus === 'SUCCESS' : p.status === 'FAILED' ? bankStatus === 'FAILED' || bankStatus === 'NEVER_SEEN' : false;
    if (!agrees) v.push(`payout ${p.reference}: ours ${p.status}, bank ${bankStatus}`);
    if (theirs && (!theirs.amount.equals(Money.parse(p.amount)) || theirs.accountNumber !== p.account))
      v.push(`payout ${p.reference}: ours ${p.amount} to ${p.account}, the bank's ${theirs.amount.toString()} to ${theirs.accountNumber}`);
    const credited = bankStatus === 'SUCCESS' ? theirs!.amount : Money.zero();
    if (p.out_of_merchant !== credited.toString())
      v.push(`payout ${p.reference}: ${p.out_of_merchant} left the merchant's account, the bank credited ${credited.toString()}`);
    creditedTo.set(p.merchant, (creditedTo.get(p.merchant) ?? Money.zero()).plus(credited));
  }
  const ours = new Set(rows.map((p) => p.reference));
  for (const t of bank.all())
    if (!ours.has(t.reference)) v.push(`the bank holds transfer ${t.reference} (${t.status} ${t.amount.toString()}) we have no payout for`);
  const merchants = new PostgresMerchantRepository(orm);
  for (const m of await merchants.list()) {
    const { statement } = await new MerchantStatementQuery(merchants).execute(m.code, '2000-01-01', '2100-12-31');
    const credited = creditedTo.get(m.code) ?? Money.zero();
    if (statement.totals.payouts !== credited.minor)
      v.push(`merchant ${m.code}: its statement pays out ${statement.totals.payouts} sen, the bank credited ${credited.toString()}`);
  }
  return v;
}
