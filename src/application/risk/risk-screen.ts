import { randomUUID } from 'node:crypto';
import type { Logger } from '../ports/logger.ts';
import { Money } from '../../domain/shared/money.ts';
import type { Leg, Screen } from '../../domain/ledger/ledger.repository.ts';
import type { UnitTransaction } from '../../domain/shared/unit-of-work.ts';
import type { RiskStore } from '../../domain/risk/risk.repository.ts';
import { effectiveOutcome, evaluate, figuresNeeded, type RiskDecision, type RiskRule, type RiskSubject } from '../../domain/risk/risk-rules.ts';
import { RiskErrors } from '../../domain/risk/risk.errors.ts';
import { markRefusal } from '../../domain/ledger/refusal.ts';

/**
 * Runs the fraud rules on a movement inside the ledger's transaction, under the locks the ledger
 * took (the payer's row, and a transfer's recipient): every movement that debits the payer waits
 * for that lock, so the velocity figures it counts are exact — concurrent requests are evaluated
 * one after the other, none can slip past a threshold. The mule count is exact the same way (the
 * recipient's row lock).
 *
 * ALLOW: the movement goes on unchanged. REVIEW: the payer's debit goes to RISK_HOLD instead, its
 * row PENDING with the case id, and the case (with the legs approval will post) is written in the
 * same transaction. BLOCK: RISK_BLOCKED is thrown (the transaction rolls back: nothing moves) and
 * the evaluation is logged afterwards in its own transaction.
 *
 * The rules are read once per transaction, inside it: a movement alone reads them under its locks,
 * a batch of movements (group commit) reads them once before its locks for all its screened
 * movements (Screen.prepare). Nothing is cached across transactions, so a rule changed by the
 * operator applies to every transaction that starts after the change committed.
 */
export class RiskScreen {
  private readonly store: RiskStore;
  private readonly logger: Logger | undefined;
  /** The rules as read in each open transaction (a batch's screened movements share one read). */
  private readonly rulesIn = new WeakMap<UnitTransaction, Promise<RiskRule[]>>();

  constructor(store: RiskStore, logger?: Logger) {
    this.store = store;
    this.logger = logger;
  }

  /** Calls `move` with the screen for `subject`; logs a block after the movement's rollback. */
  async run<T>(subject: RiskSubject, move: (screen: Screen) => Promise<T>): Promise<T> {
    let blocked: { id: string; decision: RiskDecision } | undefined;
    const screen: Screen = async (tx, legs) => {
      const rules = await this.rules(tx);
      if (!rules.some((r) => r.enabled)) return undefined;
      const decision = evaluate(rules, subject, await this.store.figures(tx, subject, figuresNeeded(rules, subject)));
      const outcome = effectiveOutcome(subject.kind, decision.outcome);
      if (outcome === 'ALLOW') return undefined;
      const id = randomUUID();
      if (outcome === 'BLOCK') {
        blocked = { id, decision };
        // Counted by rule in the regulator report like the limits' and freezes' refusals (the ledger records the mark after the rollback).
        const rule = (decision.hits.find((h) => h.outcome === 'BLOCK') ?? decision.hits[0])?.rule ?? 'UNKNOWN';
        throw markRefusal(RiskErrors.blocked(), { rule: `fds.${rule.toLowerCase()}`, accountId: subject.payerAccountId, amountMinor: subject.amount });
      }
      return this.hold(tx, id, subject, decision, legs);
    };
    // A REVIEW of a top-up is a BLOCK, so only the kinds that can be held may add RISK_HOLD.
    screen.prepare = async (tx) => {
      const active = (await this.rules(tx)).some((r) => r.enabled);
      return { active, adds: active && subject.kind !== 'TOPUP' ? [{ system: 'RISK_HOLD' }] : [] };
    };
    try {
      return await move(screen);
    } catch (err) {
      if (blocked && (err as { code?: string }).code === 'RISK_BLOCKED') {
        const b = blocked;
        await this.store
          .logBlock({
            id: b.id,
            kind: subject.kind,
            payerAccountId: subject.payerAccountId,
            counterpartyAccountId: subject.counterpartyAccountId,
            amount: Money.ofMinor(subject.amount),
            outcome: 'BLOCK',
            decision: b.decision,
          })
          .catch((e: Error) => this.logger?.error({ err: e.message, evaluation_id: b.id }, 'risk evaluation could not be logged'));
      }
      throw err;
    }
  }

  private rules(tx: UnitTransaction): Promise<RiskRule[]> {
    let rules = this.rulesIn.get(tx);
    if (!rules) {
      rules = this.store.rules(tx);
      this.rulesIn.set(tx, rules);
    }
    return rules;
  }

  private async hold(tx: Parameters<Screen>[0], id: string, s: RiskSubject, decision: RiskDecision, legs: readonly Leg[]): Promise<Leg[]> {
    const payer = legs.find((l) => 'accountId' in l.account && l.account.accountId === s.payerAccountId && l.delta < 0n);
    if (!payer?.row) throw new Error("a held movement needs the payer's debit with its row");
    const row = { ...payer.row, status: 'PENDING' as const, metadata: { ...(payer.row.metadata ?? {}), risk_case: id } };
    await this.store.hold(
      tx,
      {
        id,
        kind: s.kind,
        payerAccountId: s.payerAccountId,
        counterpartyAccountId: s.counterpartyAccountId,
        amount: Money.ofMinor(s.amount),
        outcome: 'REVIEW',
        decision,
        transactionId: row.transactionId,
      },
      { transactionId: row.transactionId, onward: legs.filter((l) => l !== payer) },
    );
    return [
      { ...payer, row },
      { account: { system: 'RISK_HOLD' }, delta: -payer.delta, rule: 'any' },
    ];
  }
}
