import { newTransactionId } from '../shared/ids.ts';
import { settlementAccountOf } from '../wallet/account.ts';
import type { Movement } from './ledger.repository.ts';
import { canTransition, type LedgerTransaction } from './transaction.ts';

export type SettlementDecision =
  /** Already final (settled by the webhook, the reconciler or the request itself): nothing changes. */
  | { kind: 'already-final' }
  /** PENDING → outcome; a failure also releases the amount back to the account with `release`. */
  | { kind: 'apply'; outcome: 'SUCCESS' | 'FAILED'; release: Movement | null };

/**
 * The PENDING → final transition of a top-up, decided on the row the repository locked: only a
 * PENDING top-up moves, exactly once, and a failed one gives the money back from the provider's
 * settlement account whatever the account's status is now (it is the customer's money), with a
 * REFUND row linked to the top-up.
 */
export function decideSettlement(topUp: LedgerTransaction, outcome: 'SUCCESS' | 'FAILED', reason?: string): SettlementDecision {
  if (topUp.type !== 'TOPUP' || !canTransition(topUp.status, outcome)) return { kind: 'already-final' };
  if (outcome === 'SUCCESS') return { kind: 'apply', outcome, release: null };
  return {
    kind: 'apply',
    outcome,
    release: {
      amount: topUp.amount,
      from: { system: settlementAccountOf(topUp.paymentMethod ?? 'GOPAY') },
      to: { accountId: topUp.accountId },
      fromRule: 'any',
      toRule: 'any',
      toRow: {
        transactionId: newTransactionId('RFD'),
        type: 'REFUND',
        status: 'SUCCESS',
        description: 'top-up failed: amount released',
        paymentMethod: topUp.paymentMethod,
        relatedTransactionId: topUp.transactionId,
        metadata: { refund_of: topUp.transactionId, reason: reason ?? 'provider declined' },
      },
    },
  };
}
