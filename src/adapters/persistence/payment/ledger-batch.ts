import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { newEnvelope, outboxInsert } from '../outbox.ts';
import { asOneStatement, type Statement } from '../one-statement.ts';
import { idempotencyWrites } from '../idempotency/postgres-idempotency.store.ts';
import { Money, signedMinorText } from '../../../domain/shared/money.ts';
import type { Account } from '../../../domain/wallet/account.ts';
import { assertDeferred, planPosting, type OwnerKind, type ResolvedLeg } from '../../../domain/ledger/posting.ts';
import type { KycLimits, LimitState } from '../../../domain/ledger/limits.ts';
import type { AccountRef, HistoryRow, LedgerGuardReader, Leg, PostingResult, Screen } from '../../../domain/ledger/ledger.repository.ts';
import type { LedgerTransaction } from '../../../domain/ledger/transaction.ts';
import type { IdempotencyRecord, UnitOfWork } from '../../../domain/shared/unit-of-work.ts';
import { unitOf } from '../unit-of-work.ts';
import { ACCOUNT_COLUMNS, toAccount, toTransaction, transactionEventPayload, type AccountRow, type TransactionRow } from './ledger-rows.ts';

/** One movement of a batch: its legs (or the plan that returns them under the batch's locks) and its unit of work. */
export interface BatchItem {
  plan: (reader: LedgerGuardReader) => Promise<Leg[]>;
  reference?: string;
  unit?: UnitOfWork<PostingResult>;
  /** The fraud rules' hook, run in the batch's transaction under its locks (as postIn runs it for a movement alone). */
  screen?: Screen;
}

export type BatchOutcome = { ok: true; result: PostingResult } | { ok: false; error: unknown };

export interface BatchDeps {
  topic: string;
  limits?: KycLimits;
  resolve(em: EntityManager, ref: AccountRef): Promise<string>;
  reader(em: EntityManager): LedgerGuardReader;
  limitState(em: EntityManager, accountId: string): Promise<LimitState>;
}

interface PlannedRow {
  key: string;
  account: Account;
  row: HistoryRow;
  amount: Money;
  before: Money;
  after: Money;
}

/** A history row as the database will hold it: the column defaults (id, created_at, updated_at) filled in here. */
function historyRow(r: PlannedRow, txNow: Date): TransactionRow {
  return {
    id: randomUUID(),
    user_id: r.account.userId!,
    account_id: r.account.id,
    transaction_id: r.row.transactionId,
    transaction_type: r.row.type,
    transaction_status: r.row.status,
    amount: r.amount.toString(),
    balance_before: r.before.toString(),
    balance_after: r.after.toString(),
    currency: 'IDR',
    description: r.row.description ?? null,
    external_reference: r.row.externalReference ?? null,
    payment_method: r.row.paymentMethod ?? null,
    metadata: r.row.metadata ? JSON.stringify(r.row.metadata) : null,
    related_transaction_id: r.row.relatedTransactionId ?? null,
    created_at: txNow,
    updated_at: txNow,
  };
}

const kindOf = (ref: AccountRef): OwnerKind => ('system' in ref ? 'system' : 'merchantAccountId' in ref ? 'merchant' : 'customer');

/** A movement's legs with their accounts found (one movement alone and a batch resolve them alike). */
export async function resolveLegs(
  em: EntityManager,
  legs: readonly Leg[],
  resolve: (em: EntityManager, ref: AccountRef) => Promise<string>,
): Promise<ResolvedLeg[]> {
  const out: ResolvedLeg[] = [];
  for (const l of legs)
    out.push({
      accountId: await resolve(em, l.account),
      kind: kindOf(l.account),
      delta: l.delta,
      rule: l.rule,
      row: l.row,
      floor: l.floor,
      toOthers: l.toOthers,
      freezable: l.freezable,
    });
  return out;
}

/**
 * Many movements in the one open transaction `em` (group commit). Every account the batch touches
 * is locked once, by one statement, in the ledger's fixed order (customers by id, then merchants'
 * and system accounts by id — the order of a single movement, so batches and single movements
 * never deadlock); then the domain decides each movement in turn against the balances the batch's
 * earlier movements left (planPosting, assertDeferred), so a refusal fails only its own movement;
 * then the accepted movements' balances, history rows, journal entries, outbox events and
 * idempotency records are written by one statement (a multi-row statement per table, all but the
 * last as data-modifying CTEs). So a batch without a screen is five round trips whatever its size:
 * BEGIN, the rules, the locks, the writes, COMMIT. Nothing here commits: the caller commits, and
 * answers each movement only after that.
 *
 * A screened movement (the fraud rules) is decided at its turn, under the batch's locks, against
 * the state a movement alone would see after the batch's earlier movements had committed: its
 * figures are counted from its customers' history rows and journal entries (velocity and known
 * counterparties from the payer's, the mule count from the recipient's; merchants' and system
 * accounts carry no history rows), so when an earlier movement of the batch touched one of its
 * customers, what the batch decided so far is written first (the same statements, just earlier).
 * The screen may write (a hold's evaluation and case) or fail in SQL: a savepoint around it (taken
 * only while a rule is on) lets the movement fail alone. The rules are read once for the batch (Screen.prepare) and, when none
 * is on, screening costs no statement at all.
 */
export async function postBatch(em: EntityManager, items: readonly BatchItem[], deps: BatchDeps, movementIds: readonly string[]): Promise<BatchOutcome[]> {
  const outcomes: (BatchOutcome | null)[] = items.map(() => null);
  const tx = unitOf(em);
  // Refunds planned earlier in this batch, by payment: a later refund's limit counts them.
  const refundedInBatch = new Map<string, bigint>();
  const base = deps.reader(em);
  const reader: LedgerGuardReader = {
    lockTransaction: (id) => base.lockTransaction(id),
    refundedTotal: async (id) => (await base.refundedTotal(id)).plus(Money.ofMinor(refundedInBatch.get(id) ?? 0n)),
  };
  const legsOf = (legs: readonly Leg[]) => resolveLegs(em, legs, deps.resolve);

  // 1. The legs of each movement (a refund's plan locks its payment and reads its refunds), and
  //    what each distinct screen may do in this transaction (the rules, read once).
  const resolved: (ResolvedLeg[] | null)[] = items.map(() => null);
  const plannedLegs: Leg[][] = [];
  const scopes = new Map<Screen, { active: boolean }>();
  const screenAdds: AccountRef[] = [];
  for (const [i, item] of items.entries()) {
    try {
      const legs = await item.plan(reader);
      const r = await legsOf(legs);
      resolved[i] = r;
      plannedLegs[i] = legs;
      // A refund's amount is its credit to the payer: counted now, for a later refund of the same payment in this batch.
      for (const l of r)
        if (l.row?.type === 'REFUND' && l.row.relatedTransactionId && l.delta > 0n)
          refundedInBatch.set(l.row.relatedTransactionId, (refundedInBatch.get(l.row.relatedTransactionId) ?? 0n) + l.delta);
    } catch (error) {
      outcomes[i] = { ok: false, error };
      continue;
    }
    // Outside the movement's own failure: a failed read of the rules fails the batch (each movement is then retried alone).
    if (item.screen && !scopes.has(item.screen)) {
      const scope = item.screen.prepare ? await item.screen.prepare(tx) : { active: true, adds: [] };
      scopes.set(item.screen, scope);
      screenAdds.push(...scope.adds);
    }
  }

  // 2. Lock every account once, in the fixed order (with those an active screen may add).
  const all = resolved.flatMap((r) => r ?? []);
  const added = await legsOf(screenAdds.map((account) => ({ account, delta: 0n, rule: 'any' as const })));
  const customers = [...new Set(all.filter((l) => l.kind === 'customer').map((l) => l.accountId))].sort();
  const others = [...new Set([...all, ...added].filter((l) => l.kind !== 'customer').map((l) => l.accountId))].sort();
  const running = new Map<string, Account>();
  // The transaction's now(): the created_at and updated_at the history rows get (their column default).
  let txNow: Date | null = null;
  // One statement, rows locked in the order given (LockRows runs above the sort): customers, then the others.
  const lock = async (ids: string[]) => {
    if (ids.length === 0) return;
    const list = `{${ids.join(',')}}`;
    const rows = (await em.execute(
      `select ${ACCOUNT_COLUMNS}, now() as tx_now from accounts where id = any(?::uuid[]) order by array_position(?::uuid[], id) for update`,
      [list, list],
    )) as (AccountRow & { tx_now: string })[];
    for (const row of rows) {
      running.set(row.id, toAccount(row));
      txNow ??= new Date(row.tx_now); // as a returned row's timestamp would be read (pg's text, to the millisecond)
    }
  };
  await lock([...customers, ...others]);
  const limitState = new Map<string, LimitState>();
  if (deps.limits) {
    for (const id of new Set(all.filter((l) => l.kind === 'customer' && l.delta > 0n && l.rule === 'active').map((l) => l.accountId)))
      limitState.set(id, await deps.limitState(em, id));
  }

  // 3. Decide each movement against the running balances; apply only what the domain accepted.
  //    What is decided but not yet written is pending; flush() writes it, one statement per table.
  let changed = new Set<string>();
  let journal: unknown[][] = [];
  let rows: PlannedRow[] = [];
  const pendingCustomers = new Set<string>();
  const written = new Map<string, LedgerTransaction>();
  // Everything decided and not yet written goes in one statement (the tables' writes as
  // data-modifying CTEs): the history rows are built here, with their ids, so that their events
  // and the movements' results need nothing back from the database.
  const pendingWrites = (): Statement[] => {
    const writes: Statement[] = [];
    if (changed.size > 0) {
      const ids = [...changed];
      writes.push({
        sql: `update accounts a set balance = v.balance::numeric, updated_at = now() from (values ${ids.map(() => '(?::uuid, ?)').join(', ')}) as v(id, balance) where a.id = v.id`,
        params: ids.flatMap((id) => [id, running.get(id)!.balance.toString()]),
      });
    }
    if (rows.length > 0) {
      const history = rows.map((r) => historyRow(r, txNow!));
      writes.push({
        sql: `insert into historical_transactions
           (id, user_id, account_id, transaction_id, transaction_type, transaction_status, amount, balance_before, balance_after, currency,
            description, external_reference, payment_method, metadata, related_transaction_id, created_at, updated_at)
         values ${history.map(() => `(?::uuid, ?, ?, ?, ?, ?, ?, ?, ?, 'IDR', ?, ?, ?, ?, ?, now(), now())`).join(', ')}`,
        params: history.flatMap((h) => [
          h.id,
          h.user_id,
          h.account_id,
          h.transaction_id,
          h.transaction_type,
          h.transaction_status,
          h.amount,
          h.balance_before,
          h.balance_after,
          h.description,
          h.external_reference,
          h.payment_method,
          h.metadata,
          h.related_transaction_id,
        ]),
      });
      const now = history.map(toTransaction);
      rows.forEach((r, k) => written.set(r.key, now[k]!));
      const events = now.map((t) => ({ topic: deps.topic, type: 'transaction.created', key: t.accountId, payload: transactionEventPayload(t) }));
      writes.push(outboxInsert(events, events.map(newEnvelope)));
    }
    if (journal.length > 0) {
      writes.push({
        sql: `insert into ledger_entries (movement_id, account_id, transaction_id, amount, balance_before, balance_after) values ${journal.map(() => '(?, ?, ?, ?, ?, ?)').join(', ')}`,
        params: journal.flat(),
      });
    }
    changed = new Set();
    journal = [];
    rows = [];
    pendingCustomers.clear();
    return writes;
  };
  const flush = async () => {
    const writes = pendingWrites();
    if (writes.length === 0) return;
    const one = asOneStatement(writes);
    await em.execute(one.sql, one.params);
  };

  const itemRows: { key: string; accountId: string }[][] = items.map(() => []);
  for (const [i, planned] of resolved.entries()) {
    if (!planned) continue;
    let legs = planned;
    const item = items[i]!;
    const screened = item.screen !== undefined && scopes.get(item.screen)!.active;
    try {
      if (screened) {
        if (legs.some((l) => l.kind === 'customer' && pendingCustomers.has(l.accountId))) await flush();
        await em.execute('savepoint screened_movement');
      }
      try {
        if (item.screen) {
          const held = await item.screen(tx, plannedLegs[i]!);
          if (held) {
            legs = await legsOf(held);
            if (legs.some((l) => l.kind === 'customer' && !running.has(l.accountId))) throw new Error('a screen may only touch customers the movement locked');
            // Not announced by prepare (a screen without it): locked now, after the batch's own locks.
            await lock([...new Set(legs.filter((l) => !running.has(l.accountId)).map((l) => l.accountId))].sort());
            resolved[i] = legs;
          }
        }
        const plan = planPosting(legs, running, deps.limits ? { limits: deps.limits, state: limitState } : undefined);
        for (const x of plan.deferred) assertDeferred(x, running.get(x.accountId));
        const movementId = movementIds[i]!;
        const journalRef = item.reference ?? legs.find((l) => l.row)?.row?.transactionId ?? movementId;
        for (const c of plan.decided) {
          const account = running.get(c.accountId)!;
          running.set(c.accountId, { ...account, balance: c.after });
          if (c.row && c.userId !== null) {
            const key = `${i}:${c.accountId}`;
            rows.push({ key, account, row: c.row, amount: Money.ofMinor(c.delta < 0n ? -c.delta : c.delta), before: c.before, after: c.after });
            itemRows[i]!.push({ key, accountId: c.accountId });
          }
          journal.push([movementId, c.accountId, c.row?.transactionId ?? journalRef, signedMinorText(c.delta), c.before.toString(), c.after.toString()]);
          changed.add(c.accountId);
          track(limitState, c.accountId, c.row, c.delta);
        }
        for (const x of plan.deferred) {
          const account = running.get(x.accountId)!;
          const after = Money.ofMinor(account.balance.minor + x.delta);
          running.set(x.accountId, { ...account, balance: after });
          journal.push([movementId, x.accountId, journalRef, signedMinorText(x.delta), account.balance.toString(), after.toString()]);
          changed.add(x.accountId);
        }
        for (const l of legs) if (l.kind === 'customer') pendingCustomers.add(l.accountId);
        // Released at once: the batch's later writes go in the transaction itself, not nested ever deeper in subtransactions.
        if (screened) await em.execute('release savepoint screened_movement');
      } catch (error) {
        // The screen's writes (a hold) or its failed statement go with the movement; the batch goes on.
        if (screened) await em.execute('rollback to savepoint screened_movement');
        throw error;
      }
    } catch (error) {
      outcomes[i] = { ok: false, error };
    }
  }

  // 4. What is left to write (its history rows built now, so the results below can be), and
  // 5. each accepted movement's result and idempotency record: all of it in one statement.
  const writes = pendingWrites();
  const records: IdempotencyRecord[] = [];
  for (const [i, legs] of resolved.entries()) {
    if (!legs || outcomes[i]) continue;
    const byAccount = new Map(itemRows[i]!.map((r) => [r.accountId, written.get(r.key)!]));
    const result: PostingResult = { movementId: movementIds[i]!, rows: legs.map((l) => (l.row ? (byAccount.get(l.accountId) ?? null) : null)) };
    outcomes[i] = { ok: true, result };
    const record = items[i]!.unit?.idempotency?.(result);
    if (record) records.push(record);
  }
  const idempotency = idempotencyWrites(records);
  writes.push(...idempotency.statements);
  if (writes.length > 0) {
    const one = asOneStatement(writes);
    idempotency.check((await em.execute(one.sql, one.params)) as unknown[]);
  }
  return outcomes.map((o) => o ?? { ok: false, error: new Error('movement not decided') });
}

/** The monthly limit's figures as this batch changes them: TRANSFER credits count as incoming; a PENDING top-up is money in flight. */
function track(state: Map<string, LimitState>, accountId: string, row: HistoryRow | null, delta: bigint): void {
  const s = state.get(accountId);
  if (!s || !row) return;
  if (row.type === 'TRANSFER' && row.status === 'SUCCESS' && delta > 0n) state.set(accountId, { ...s, incomingThisMonth: s.incomingThisMonth + delta });
  if (row.type === 'TOPUP' && row.status === 'PENDING' && delta < 0n) state.set(accountId, { ...s, inFlight: s.inFlight - delta });
}

export const newMovementIds = (n: number): string[] => Array.from({ length: n }, () => randomUUID());
