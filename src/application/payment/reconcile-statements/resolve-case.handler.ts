import type { LedgerRepository } from '../../../domain/ledger/ledger.repository.ts';
import { resolutionEffect, type Resolution } from '../../../domain/reconciliation/reconciliation.ts';
import type { ReconciliationCase, ReconciliationRepository } from '../../../domain/reconciliation/reconciliation.repository.ts';
import { newTransactionId } from '../../../domain/shared/ids.ts';
import { settlementAccountOf } from '../../../domain/wallet/account.ts';
import { ReconciliationErrors } from '../../../domain/reconciliation/reconciliation.errors.ts';
import { LedgerErrors } from '../../../domain/ledger/ledger.errors.ts';

export interface ResolveCaseCommand {
  caseId: string;
  resolution: Resolution;
  note: string | null;
  operator: string;
}

const notFound = ReconciliationErrors.caseNotFound;
const alreadyResolved = ReconciliationErrors.caseAlreadyResolved;

/**
 * An operator's decision on a reconciliation case, applied exactly once: the movement it implies
 * (domain/reconciliation resolutionEffect) and the case's RESOLVED mark commit in one transaction,
 * and the mark is a conditional update of an OPEN case, so a second resolution (or a concurrent
 * one) changes nothing and says CASE_ALREADY_RESOLVED.
 */
export class ResolveCaseHandler {
  private readonly repo: ReconciliationRepository;
  private readonly ledger: LedgerRepository;

  constructor(repo: ReconciliationRepository, ledger: LedgerRepository) {
    this.repo = repo;
    this.ledger = ledger;
  }

  async execute(cmd: ResolveCaseCommand): Promise<ReconciliationCase> {
    const c = await this.repo.findCase(cmd.caseId);
    if (!c) throw notFound();
    if (c.status !== 'OPEN') throw alreadyResolved();
    const effect = resolutionEffect(c, cmd.resolution);
    const note = cmd.note?.trim() || null;
    if (effect.kind === 'no-action' && !note) throw ReconciliationErrors.noteRequired();
    const base = { resolution: cmd.resolution, note, operator: cmd.operator };
    const settlement = settlementAccountOf(c.provider);

    if (effect.kind === 'no-action') {
      if (!(await this.repo.resolve(c.id, { ...base, movementId: null, transactionId: null }))) throw alreadyResolved();
    } else if (effect.kind === 'settle') {
      const r = await this.ledger.settleTopUp(
        c.reference,
        effect.outcome,
        { externalReference: c.providerReference, reason: `reconciliation case ${c.id}` },
        {
          join: async (tx, s) => {
            if (!(await this.repo.resolve(c.id, { ...base, movementId: null, transactionId: s.release?.transactionId ?? null }, tx))) throw alreadyResolved();
          },
        },
      );
      // Settled meanwhile by the webhook or the reconciler: the case is answered, with nothing to move.
      if (
        !r.applied &&
        !(await this.repo.resolve(c.id, { ...base, note: note ?? `already ${r.transaction.status} when resolved`, movementId: null, transactionId: null }))
      ) {
        throw alreadyResolved();
      }
    } else if (effect.kind === 'refund') {
      const topUp = await this.ledger.findByTransactionId(c.reference);
      if (!topUp) throw LedgerErrors.transactionNotFound("the case's top-up is gone");
      const refundId = newTransactionId('RFD');
      await this.ledger.move(
        {
          amount: effect.amount,
          from: { system: settlement },
          to: { accountId: topUp.accountId },
          fromRule: 'any',
          toRule: 'any',
          toRow: {
            transactionId: refundId,
            type: 'REFUND',
            status: 'SUCCESS',
            description: `reconciliation case ${c.id}: not credited by the provider`,
            paymentMethod: c.provider,
            relatedTransactionId: c.reference,
            metadata: { reconciliation_case: c.id, kind: c.kind, operator: cmd.operator },
          },
        },
        {
          join: async (tx, moved) => {
            if (!(await this.repo.resolve(c.id, { ...base, movementId: moved.movementId, transactionId: refundId }, tx))) throw alreadyResolved();
          },
        },
      );
    } else {
      // write-off: the bank pays the provider's settlement what the provider credited without our debit.
      await this.ledger.move(
        { amount: effect.amount, from: { system: 'FUNDING' }, to: { system: settlement }, fromRule: 'any', toRule: 'any' },
        {
          join: async (tx, moved) => {
            if (!(await this.repo.resolve(c.id, { ...base, movementId: moved.movementId, transactionId: null }, tx))) throw alreadyResolved();
          },
        },
      );
    }
    return (await this.repo.findCase(c.id))!;
  }
}
