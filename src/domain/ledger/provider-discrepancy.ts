import type { Money } from '../shared/money.ts';
import type { PaymentMethod } from './transaction.ts';

/**
 * A provider discrepancy case: the provider's definite answer contradicts a status we already made
 * final. The one kind that matters for money: the provider says SUCCESS (it credited the e-wallet)
 * for a top-up we recorded FAILED and whose amount we released back to the customer, so the same
 * money exists twice. It is never ignored: recorded once per top-up, alerted on, and settled by an
 * operator (`discrepancies settle`), exactly once.
 */
export type DiscrepancyKind = 'SUCCESS_AFTER_FAILED';
export type DiscrepancyStatus = 'OPEN' | 'RESOLVED';
/** REDEBIT: the released amount is taken back from the customer; BANK_LOSS: the bank's FUNDING account pays it. */
export type DiscrepancyResolution = 'REDEBIT' | 'BANK_LOSS';
/** Where the contradicting answer came from. */
export type DiscrepancySource = 'webhook' | 'inquiry' | 'request';

export interface ProviderDiscrepancy {
  id: string;
  transactionId: string;
  kind: DiscrepancyKind;
  paymentMethod: PaymentMethod;
  accountId: string;
  userId: number;
  amount: Money;
  providerReference: string | null;
  detectedVia: DiscrepancySource;
  detectedAt: Date;
  status: DiscrepancyStatus;
  resolution: DiscrepancyResolution | null;
  /** The movement that settled it, and the customer's history row when it was a re-debit. */
  resolutionMovementId: string | null;
  resolutionTransactionId: string | null;
  resolvedBy: string | null;
  resolvedAt: Date | null;
}

export interface DiscrepancyReport {
  transactionId: string;
  providerReference: string | null;
  detectedVia: DiscrepancySource;
}

export interface ProviderDiscrepancyRepository {
  /** Opens the case for this top-up unless it exists; `opened` is false for a repeated detection. */
  recordSuccessAfterFailed(report: DiscrepancyReport): Promise<{ opened: boolean; discrepancy: ProviderDiscrepancy }>;
  find(id: string): Promise<ProviderDiscrepancy | null>;
  list(filter: { status?: DiscrepancyStatus; limit: number }): Promise<ProviderDiscrepancy[]>;
  /**
   * Settles an OPEN case in one transaction under the case's row lock: re-debit the customer when
   * the balance allows, else record the loss against the bank (FUNDING → the settlement account).
   * A case already RESOLVED is returned unchanged with settled=false.
   */
  settle(id: string, operator: string): Promise<{ settled: boolean; discrepancy: ProviderDiscrepancy }>;
}

/** The rule of a settlement: the customer pays back what was released twice if they still can. */
export function chooseResolution(customerBalance: Money, amount: Money): DiscrepancyResolution {
  return customerBalance.gte(amount) ? 'REDEBIT' : 'BANK_LOSS';
}
