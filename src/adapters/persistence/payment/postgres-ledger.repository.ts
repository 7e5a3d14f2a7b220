import { randomUUID } from 'node:crypto';
import { newTransactionId } from '../../../domain/shared/ids.ts';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Orm } from '../orm.ts';
import { appendOutboxEvent } from '../outbox.ts';
import { Money, signedMinorText } from '../../../domain/shared/money.ts';
import type { Account, SystemAccountCode } from '../../../domain/wallet/account.ts';
import { deferredRejection, planPosting, type ResolvedLeg } from '../../../domain/ledger/posting.ts';
import type { FreezeLevel } from '../../../domain/wallet/freeze.ts';
import { recordIfRefusal, type RefusalLog } from '../../../application/ports/refusal-log.ts';
import { jakartaMonthStart, type KycLimits, type LimitState } from '../../../domain/ledger/limits.ts';
import { WalletErrors } from '../../../domain/wallet/wallet.errors.ts';
import { LedgerErrors } from '../../../domain/ledger/ledger.errors.ts';
import { decideSettlement } from '../../../domain/ledger/settlement.ts';
import type {
  AccountRef,
  HistoryRow,
  LedgerGuardReader,
  Leg,
  LedgerRepository,
  Movement,
  MovementResult,
  Posting,
  PostingResult,
  Screen,
  SettleResult,
} from '../../../domain/ledger/ledger.repository.ts';
import type { LedgerTransaction } from '../../../domain/ledger/transaction.ts';
import type { UnitOfWork } from '../../../domain/shared/unit-of-work.ts';
import { finishUnit, unitOf } from '../unit-of-work.ts';
import { Batcher, type BatcherOptions, type Queued } from './ledger-batcher.ts';
import { newMovementIds, postBatch, resolveLegs, type BatchItem, type BatchOutcome } from './ledger-batch.ts';
import { ACCOUNT_COLUMNS, toAccount, toTransaction, transactionEventPayload, type AccountRow, type TransactionRow } from './ledger-rows.ts';

export interface PostgresLedgerOptions {
  /** The Kafka topic of transaction events (config KAFKA_TOPIC_TRANSACTIONS). */
  topic: string;
  /** Called after a commit with the users whose balances changed (cache invalidation). */
  onCommitted?: (userIds: number[]) => Promise<void>;
  /** Bank Indonesia's KYC limits (config KYC_*); without them no tier limit applies (tests of other rules). */
  limits?: KycLimits;
  /** The clock for the calendar month of the monthly limit. */
  now?: () => Date;
  /** Where refusals by the limits and freezes are recorded, after the movement rolled back (the regulator report counts them). */
  refusals?: RefusalLog;
  /**
   * Group commit (config LEDGER_BATCH_*): concurrent movements share one transaction. Absent, or
   * max ≤ 1: one transaction per movement. Movements whose unit joins other repositories' writes
   * (payouts, reconciliation cases) and top-up settlements always take their own transaction;
   * movements the fraud rules screen are batched like the others (the screen runs in the batch).
   */
  batch?: BatcherOptions;
}

/**
 * The ledger on PostgreSQL. Each movement is one transaction: customers' accounts are locked with
 * SELECT … FOR UPDATE in ascending id order and checked under the lock, the bank's system accounts
 * are changed last by one conditional statement (a fixed lock order, so movements never deadlock;
 * the CHECK balance >= 0 constraint backs both), and the history rows, journal entries and outbox
 * events are written in the same transaction.
 */
export class PostgresLedgerRepository implements LedgerRepository {
  private readonly orm: Orm;
  private readonly opts: PostgresLedgerOptions;
  private readonly systemIds = new Map<SystemAccountCode, string>();
  private readonly batcher: Batcher<BatchItem, PostingResult> | null;

  constructor(orm: Orm, opts: PostgresLedgerOptions) {
    this.orm = orm;
    this.opts = opts;
    this.batcher = opts.batch && opts.batch.max > 1 ? new Batcher((q) => this.runBatch(q), opts.batch) : null;
  }

  async move(movement: Movement, unit?: UnitOfWork<MovementResult>): Promise<MovementResult> {
    return this.refusalsRecorded(() => this.moveOnce(movement, unit));
  }

  async post(posting: Posting, unit?: UnitOfWork<PostingResult>): Promise<PostingResult> {
    return this.refusalsRecorded(() => this.postOnce(posting, unit));
  }

  /** A refusal marked by the rules (limits, freezes) is recorded once its movement has rolled back, alone or in a batch. */
  private async refusalsRecorded<R>(work: () => Promise<R>): Promise<R> {
    try {
      return await work();
    } catch (err) {
      await recordIfRefusal(this.opts.refusals, err);
      throw err;
    }
  }

  private async moveOnce(movement: Movement, unit?: UnitOfWork<MovementResult>): Promise<MovementResult> {
    // A screened movement batches too: the screen runs at its turn in the batch, under the batch's locks (ledger-batch.ts).
    if (this.batcher && !unit?.join) {
      const toMovement = (r: PostingResult): MovementResult => ({ movementId: r.movementId, fromRow: r.rows[0] ?? null, toRow: r.rows[1] ?? null });
      const r = await this.batcher.submit({
        plan: async (reader) => {
          if (movement.guard) await movement.guard(reader);
          return movementLegs(movement);
        },
        screen: movement.screen,
        unit: unit && {
          idempotency: unit.idempotency && ((p) => unit.idempotency!(toMovement(p))),
          committed: unit.committed && ((p) => unit.committed!(toMovement(p))),
        },
      });
      return toMovement(r);
    }
    const result = await this.orm.em.fork().transactional(async (em) => {
      const r = await this.moveIn(em, movement);
      await finishUnit(em, unit, r);
      return r;
    });
    unit?.committed?.(result);
    await this.committed([result.fromRow?.userId, result.toRow?.userId]);
    return result;
  }

  private async postOnce(posting: Posting, unit?: UnitOfWork<PostingResult>): Promise<PostingResult> {
    if (this.batcher && !unit?.join) return this.batcher.submit({ plan: posting.plan, reference: posting.reference, screen: posting.screen, unit });
    return this.postDirect(posting, unit);
  }

  /** One transaction for one movement: the path without group commit, and each movement's retry after a failed batch. */
  private async postDirect(posting: Posting, unit?: UnitOfWork<PostingResult>): Promise<PostingResult> {
    const result = await this.orm.em.fork().transactional(async (em) => {
      const legs = await posting.plan(this.reader(em));
      const r = await this.postIn(em, legs, posting.reference, posting.screen);
      await finishUnit(em, unit, r);
      return r;
    });
    unit?.committed?.(result);
    await this.committed(result.rows.map((r) => r?.userId));
    return result;
  }

  /**
   * One batch of group commit: written by postBatch in one transaction, then each movement is
   * answered. A batch that fails before its COMMIT was sent rolled back as a whole: each movement
   * is retried on its own (postDirect), so a movement that poisoned the batch fails alone and none
   * is applied twice. A failure of the COMMIT itself leaves the outcome unknown: the batch's
   * movement ids are looked up to learn whether it committed before anything is retried.
   */
  private async runBatch(queued: Queued<BatchItem, PostingResult>[]): Promise<void> {
    const items = queued.map((q) => q.item);
    const ids = newMovementIds(items.length);
    const decided: { outcomes: BatchOutcome[] | null } = { outcomes: null };
    try {
      await this.orm.em.fork().transactional(async (em) => {
        decided.outcomes = await postBatch(em, items, this.batchDeps(), ids);
      });
    } catch (err) {
      const written = decided.outcomes !== null && (await this.anyCommitted(ids));
      if (!written) {
        await Promise.all(
          queued.map((q) => this.postDirect({ plan: q.item.plan, reference: q.item.reference, screen: q.item.screen }, q.item.unit).then(q.resolve, q.reject)),
        );
        return;
      }
      void err; // the COMMIT's answer was lost, but the batch is in the journal: answer as committed
    }
    const outcomes = decided.outcomes!;
    const userIds: (number | undefined)[] = [];
    const accepted: [Queued<BatchItem, PostingResult>, PostingResult][] = [];
    for (const [i, q] of queued.entries()) {
      const o = outcomes[i]!;
      if (!o.ok) {
        q.reject(o.error);
        continue;
      }
      q.item.unit?.committed?.(o.result);
      userIds.push(...o.result.rows.map((r) => r?.userId));
      accepted.push([q, o.result]);
    }
    // Answered once the changed users' cached balances are dropped, as a movement alone is (a
    // payer who reads the balance after the 201 sees the new one); the batch's slot is free at
    // once, so the next batch does not wait for Redis.
    const answer = () => {
      for (const [q, result] of accepted) q.resolve(result);
    };
    void this.committed(userIds).then(answer, answer);
  }

  private async anyCommitted(movementIds: string[]): Promise<boolean> {
    const rows = (await this.orm.em
      .fork()
      .execute(`select 1 from ledger_entries where movement_id = any(?::uuid[]) limit 1`, [`{${movementIds.join(',')}}`])) as unknown[];
    return rows.length > 0;
  }

  private batchDeps() {
    return {
      topic: this.opts.topic,
      limits: this.opts.limits,
      resolve: (em: EntityManager, ref: AccountRef) => this.resolve(em, ref),
      reader: (em: EntityManager) => this.reader(em),
      limitState: (em: EntityManager, id: string) => this.limitStateIn(em, id),
    };
  }

  async settleTopUp(
    transactionId: string,
    outcome: 'SUCCESS' | 'FAILED',
    details: { externalReference?: string | null; reason?: string },
    unit?: UnitOfWork<SettleResult>,
  ): Promise<SettleResult> {
    const result = await this.orm.em.fork().transactional(async (em): Promise<SettleResult> => {
      // The row lock is the exactly-once gate: of a webhook, the reconciler and the request
      // itself, the first to lock a PENDING top-up settles it; the others find it final.
      const [locked] = (await em.execute(`select * from historical_transactions where transaction_id = ? and transaction_type = 'TOPUP' for update`, [
        transactionId,
      ])) as TransactionRow[];
      if (!locked) {
        const other = await this.findIn(em, transactionId); // not a top-up: nothing to settle
        if (!other) throw LedgerErrors.transactionNotFound();
        return { applied: false, transaction: other, release: null };
      }
      const decision = decideSettlement(toTransaction(locked), outcome, details.reason);
      if (decision.kind === 'already-final') {
        const current = toTransaction(locked);
        // Settled by someone else first (the webhook often beats the request's own answer): report their release.
        const released =
          current.status === 'FAILED'
            ? ((await em.execute(
                `select * from historical_transactions where related_transaction_id = ? and transaction_type = 'REFUND' order by created_at limit 1`,
                [transactionId],
              )) as TransactionRow[])
            : [];
        return { applied: false, transaction: current, release: released[0] ? toTransaction(released[0]) : null };
      }
      const extra = decision.outcome === 'FAILED' && details.reason ? { failure_reason: details.reason } : {};
      const rows = (await em.execute(
        `update historical_transactions
            set transaction_status = ?, external_reference = coalesce(?, external_reference),
                metadata = (coalesce(metadata, '{}')::jsonb || ?::jsonb)::text, updated_at = now()
          where id = ?
        returning *`,
        [decision.outcome, details.externalReference ?? null, JSON.stringify(extra), locked.id],
      )) as TransactionRow[];
      const topUp = toTransaction(rows[0]!);
      await this.event(em, 'transaction.updated', topUp, 'PENDING');
      const release = decision.release ? (await this.moveIn(em, decision.release)).toRow : null;
      const r: SettleResult = { applied: true, transaction: topUp, release };
      await finishUnit(em, unit, r);
      return r;
    });
    if (result.applied) {
      unit?.committed?.(result);
      await this.committed([result.transaction.userId]);
    }
    return result;
  }

  async settleHeld(
    transactionId: string,
    decision: { outcome: 'SUCCESS'; onward: Leg[] } | { outcome: 'FAILED'; reason: string },
    unit?: UnitOfWork<SettleResult>,
  ): Promise<SettleResult> {
    const userIds: number[] = [];
    const result = await this.orm.em.fork().transactional(async (em): Promise<SettleResult> => {
      // The exactly-once gate, as for top-ups: only the decision whose UPDATE matches the PENDING held row acts.
      const rows = (await em.execute(
        `update historical_transactions set transaction_status = ?, updated_at = now()
          where transaction_id = ? and transaction_status = 'PENDING' and transaction_type <> 'TOPUP' and (metadata::jsonb ->> 'risk_case') is not null
        returning *`,
        [decision.outcome, transactionId],
      )) as TransactionRow[];
      if (rows.length === 0) {
        const current = await this.findIn(em, transactionId);
        if (!current) throw LedgerErrors.transactionNotFound();
        return { applied: false, transaction: current, release: null };
      }
      const held = toTransaction(rows[0]!);
      userIds.push(held.userId);
      await this.event(em, 'transaction.updated', held, 'PENDING');
      let release: LedgerTransaction | null = null;
      if (decision.outcome === 'SUCCESS') {
        const legs: Leg[] = [{ account: { system: 'RISK_HOLD' }, delta: -held.amount.minor, rule: 'any' }, ...decision.onward];
        // Its own journal reference (a transaction id belongs to one movement), named after the held one as payouts' :RETURN.
        const posted = await this.postIn(em, legs, `${transactionId}:RELEASE`);
        for (const r of posted.rows) if (r) userIds.push(r.userId);
      } else {
        const moved = await this.moveIn(em, {
          amount: held.amount,
          from: { system: 'RISK_HOLD' },
          to: { accountId: held.accountId },
          fromRule: 'any',
          toRule: 'any',
          toRow: {
            transactionId: newTransactionId('RFD'),
            type: 'REFUND',
            status: 'SUCCESS',
            description: 'held by the fraud rules and rejected: amount returned',
            relatedTransactionId: held.transactionId,
            metadata: { refund_of: held.transactionId, reason: decision.reason },
          },
        });
        release = moved.toRow;
      }
      const r: SettleResult = { applied: true, transaction: held, release };
      await finishUnit(em, unit, r);
      return r;
    });
    if (result.applied) {
      unit?.committed?.(result);
      await this.committed(userIds);
    }
    return result;
  }

  /**
   * One transaction in which `work` takes its own locks, decides, and makes movements with the
   * same primitive as move(): for operations that must choose a movement under a lock of their
   * own (settling a provider discrepancy case, postgres-provider-discrepancy.repository.ts).
   */
  async transaction<R>(
    work: (tx: { em: EntityManager; move: (m: Movement) => Promise<MovementResult> }) => Promise<{ result: R; userIds: number[] }>,
  ): Promise<R> {
    const out = await this.orm.em.fork().transactional((em) => work({ em, move: (m) => this.moveIn(em, m) }));
    await this.committed(out.userIds);
    return out.result;
  }

  async findByTransactionId(transactionId: string): Promise<LedgerTransaction | null> {
    return this.findIn(this.orm.em.fork(), transactionId);
  }

  async pendingTopUps(olderThan: Date, limit: number): Promise<LedgerTransaction[]> {
    const rows = (await this.orm.em
      .fork()
      .execute(
        `select * from historical_transactions where transaction_status = 'PENDING' and transaction_type = 'TOPUP' and created_at < ? order by created_at limit ?`,
        [olderThan, limit],
      )) as TransactionRow[];
    return rows.map(toTransaction);
  }

  async history(accountId: string, limit: number): Promise<LedgerTransaction[]> {
    const rows = (await this.orm.em
      .fork()
      .execute(`select * from historical_transactions where account_id = ? order by created_at desc, id desc limit ?`, [accountId, limit])) as TransactionRow[];
    return rows.map(toTransaction);
  }

  async systemBalance(code: SystemAccountCode): Promise<Money> {
    const rows = (await this.orm.em.fork().execute(`select balance from accounts where system_code = ?`, [code])) as { balance: string }[];
    if (!rows[0]) throw WalletErrors.accountNotFound();
    return Money.parse(String(rows[0].balance));
  }

  async limitState(accountId: string): Promise<LimitState> {
    return this.limitStateIn(this.orm.em.fork(), accountId);
  }

  // ---- inside a transaction ----

  private async moveIn(em: EntityManager, m: Movement): Promise<MovementResult> {
    if (m.guard) await m.guard(this.reader(em)); // may fix the amount (a full refund)
    if (m.amount.isZero()) throw new Error('a movement needs a positive amount');
    const r = await this.postIn(em, movementLegs(m), undefined, m.screen);
    return { movementId: r.movementId, fromRow: r.rows[0] ?? null, toRow: r.rows[1] ?? null };
  }

  /**
   * Locks, loads, lets the domain decide (planPosting), applies and writes. Lock order, the same
   * for every movement so none can deadlock: customers' accounts first, in id order; merchants'
   * and the bank's system accounts last, each changed by a single conditional statement just
   * before commit, so a hot row's lock is held for one round trip instead of the whole transaction.
   */
  private async postIn(em: EntityManager, planned: Leg[], reference?: string, screen?: Screen): Promise<PostingResult> {
    let legs = planned;
    let resolved = await resolveLegs(em, legs, (e, ref) => this.resolve(e, ref));
    const movementId = randomUUID();
    const locked = new Map<string, Account>();
    for (const id of [...new Set(resolved.filter((l) => l.kind === 'customer').map((l) => l.accountId))].sort()) {
      const rows = (await em.execute(`select ${ACCOUNT_COLUMNS} from accounts where id = ? for update`, [id])) as AccountRow[];
      if (rows[0]) locked.set(id, toAccount(rows[0]));
    }
    // The fraud rules, under the locks just taken (a hold replaces the legs; a block throws).
    const screened = screen ? await screen(unitOf(em), legs) : undefined;
    if (screened) {
      legs = screened;
      resolved = await resolveLegs(em, legs, (e, ref) => this.resolve(e, ref));
      if (resolved.some((l) => l.kind === 'customer' && !locked.has(l.accountId))) throw new Error('a screen may only touch customers the movement locked');
    }
    const journalRef = reference ?? legs.find((l) => l.row)?.row?.transactionId ?? movementId;
    const plan = planPosting(resolved, locked, this.opts.limits ? { limits: this.opts.limits, state: await this.limitStates(em, resolved) } : undefined);
    const written = new Map<string, LedgerTransaction>();
    for (const c of plan.decided) {
      await em.execute(`update accounts set balance = ?, updated_at = now() where id = ?`, [c.after.toString(), c.accountId]);
      if (c.row && c.userId !== null)
        written.set(
          c.accountId,
          await this.insertRow(em, locked.get(c.accountId)!, c.row, Money.ofMinor(c.delta < 0n ? -c.delta : c.delta), c.before, c.after),
        );
      await this.journal(em, movementId, c.accountId, c.row?.transactionId ?? journalRef, c.delta, c.before.toString(), c.after.toString());
    }
    for (const x of plan.deferred) {
      // Update and journal in one statement; an account that would go below its floor (zero, or a
      // merchant's payout reserve), or is not in the status the rule asks for, changes nothing and
      // the domain's rejection is raised.
      const signed = signedDecimal(x.delta);
      const floor = signedDecimal(x.requires.minBalance);
      const status =
        x.requires.status === 'active' ? "and account_status = 'ACTIVE'" : x.requires.status === 'not_closed' ? "and account_status <> 'CLOSED'" : '';
      // The levels the domain decided this side must not have (FREEZE_LEVELS, never input).
      const unfrozen = x.requires.notFrozenAt.length
        ? `and (freeze_level is null or freeze_level not in (${x.requires.notFrozenAt.map((l) => `'${l}'`).join(', ')}))`
        : '';
      const changed = (await em.execute(
        `with s as (
           update accounts set balance = balance + ?::numeric, updated_at = now()
            where id = ? and balance + ?::numeric >= ?::numeric ${status} ${unfrozen}
            returning balance - ?::numeric as before, balance as after)
         insert into ledger_entries (movement_id, account_id, transaction_id, amount, balance_before, balance_after)
         select ?, ?, ?, ?::numeric, s.before, s.after from s returning id`,
        [signed, x.accountId, signed, floor, signed, movementId, x.accountId, journalRef, signed],
      )) as unknown[];
      if (changed.length !== 1) {
        const [now] = (await em.execute(`select freeze_level from accounts where id = ?`, [x.accountId])) as { freeze_level: FreezeLevel | null }[];
        throw deferredRejection(x, now?.freeze_level ?? null);
      }
    }
    return { movementId, rows: resolved.map((l) => written.get(l.accountId) ?? null) };
  }

  /**
   * For each customer credited with new money, read under its row lock (already held: every
   * credit to a customer locks it first, so these figures cannot change until commit): the
   * incoming of this calendar month (TRANSFER credits; refunds and releases are money returned)
   * and the money in flight (pending top-ups, which come back if they fail).
   */
  private async limitStates(em: EntityManager, legs: ResolvedLeg[]): Promise<Map<string, LimitState>> {
    const out = new Map<string, LimitState>();
    for (const l of legs) {
      if (l.kind !== 'customer' || l.delta <= 0n || l.rule !== 'active') continue;
      out.set(l.accountId, await this.limitStateIn(em, l.accountId));
    }
    return out;
  }

  private async limitStateIn(em: EntityManager, accountId: string): Promise<LimitState> {
    const since = jakartaMonthStart((this.opts.now ?? (() => new Date()))());
    const [r] = (await em.execute(
      `select coalesce(sum(amount) filter (where transaction_type = 'TRANSFER' and transaction_status = 'SUCCESS' and balance_after > balance_before and created_at >= ?), 0)::text as incoming,
                coalesce(sum(amount) filter (where transaction_type = 'TOPUP' and transaction_status = 'PENDING'), 0)::text as in_flight
           from historical_transactions where account_id = ? and (created_at >= ? or transaction_status = 'PENDING')`,
      [since, accountId, since],
    )) as [{ incoming: string; in_flight: string }];
    return { incomingThisMonth: Money.parse(r.incoming).minor, inFlight: Money.parse(r.in_flight).minor };
  }

  private async journal(
    em: EntityManager,
    movementId: string,
    accountId: string,
    transactionId: string,
    delta: bigint,
    before: string,
    after: string,
  ): Promise<void> {
    await em.execute(`insert into ledger_entries (movement_id, account_id, transaction_id, amount, balance_before, balance_after) values (?, ?, ?, ?, ?, ?)`, [
      movementId,
      accountId,
      transactionId,
      signedDecimal(delta),
      before,
      after,
    ]);
  }

  private async insertRow(em: EntityManager, account: Account, row: HistoryRow, amount: Money, before: Money, after: Money): Promise<LedgerTransaction> {
    const rows = (await em.execute(
      `insert into historical_transactions
         (user_id, account_id, transaction_id, transaction_type, transaction_status, amount, balance_before, balance_after, currency,
          description, external_reference, payment_method, metadata, related_transaction_id)
       values (?, ?, ?, ?, ?, ?, ?, ?, 'IDR', ?, ?, ?, ?, ?) returning *`,
      [
        account.userId,
        account.id,
        row.transactionId,
        row.type,
        row.status,
        amount.toString(),
        before.toString(),
        after.toString(),
        row.description ?? null,
        row.externalReference ?? null,
        row.paymentMethod ?? null,
        row.metadata ? JSON.stringify(row.metadata) : null,
        row.relatedTransactionId ?? null,
      ],
    )) as TransactionRow[];
    const t = toTransaction(rows[0]!);
    await this.event(em, 'transaction.created', t);
    return t;
  }

  private async event(em: EntityManager, type: string, t: LedgerTransaction, previousStatus?: string): Promise<void> {
    await appendOutboxEvent(em, { topic: this.opts.topic, type, key: t.accountId, payload: transactionEventPayload(t, previousStatus) });
  }

  private async resolve(em: EntityManager, ref: AccountRef): Promise<string> {
    if ('accountId' in ref) return ref.accountId;
    if ('merchantAccountId' in ref) return ref.merchantAccountId;
    const known = this.systemIds.get(ref.system);
    if (known) return known;
    const rows = (await em.execute(`select id from accounts where system_code = ?`, [ref.system])) as { id: string }[];
    if (!rows[0]) throw new Error(`system account ${ref.system} is missing: run the migrations`);
    this.systemIds.set(ref.system, rows[0].id);
    return rows[0].id;
  }

  private reader(em: EntityManager): LedgerGuardReader {
    return {
      lockTransaction: async (transactionId) => {
        const rows = (await em.execute(`select * from historical_transactions where transaction_id = ? for update`, [transactionId])) as TransactionRow[];
        return rows[0] ? toTransaction(rows[0]) : null;
      },
      refundedTotal: async (transactionId) => {
        const rows = (await em.execute(
          `select coalesce(sum(amount), 0)::text as total from historical_transactions where related_transaction_id = ? and transaction_type = 'REFUND' and transaction_status = 'SUCCESS'`,
          [transactionId],
        )) as { total: string }[];
        return Money.parse(rows[0]!.total);
      },
    };
  }

  private async findIn(em: EntityManager, transactionId: string): Promise<LedgerTransaction | null> {
    const rows = (await em.execute(`select * from historical_transactions where transaction_id = ?`, [transactionId])) as TransactionRow[];
    return rows[0] ? toTransaction(rows[0]) : null;
  }

  private async committed(userIds: (number | undefined)[]): Promise<void> {
    const ids = [...new Set(userIds.filter((u): u is number => u !== undefined))];
    if (ids.length && this.opts.onCommitted) await this.opts.onCommitted(ids).catch(() => {});
  }
}

/** A two-sided movement's legs, once its guard has run (it may fix the amount: a full refund). */
function movementLegs(m: Movement): Leg[] {
  if (m.amount.isZero()) throw new Error('a movement needs a positive amount');
  return [
    { account: m.from, delta: -m.amount.minor, rule: m.fromRule, row: m.fromRow, toOthers: m.toOthers },
    { account: m.to, delta: m.amount.minor, rule: m.toRule, row: m.toRow },
  ];
}

/** A signed change in minor units as the decimal text numeric columns take: -1050n → "-10.50". */
const signedDecimal = signedMinorText;
