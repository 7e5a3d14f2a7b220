import type { Money } from '../shared/money.ts';
import type { Merchant } from '../merchant/merchant.ts';
import type { Payout } from './payout.ts';

/** Payouts and the ledger movements that go with them, each in one transaction. */
export interface PayoutRepository {
  /**
   * The PENDING payout row and its movement (merchant −amount → PAYOUT_SETTLEMENT) in one
   * transaction; MERCHANT_INSUFFICIENT_FUNDS when the balance does not cover it. A reference that
   * exists answers the existing payout with created=false.
   */
  create(p: {
    reference: string;
    merchant: Merchant & { bankAccount: NonNullable<Merchant['bankAccount']> };
    amount: Money;
  }): Promise<{ payout: Payout; created: boolean }>;
  find(reference: string): Promise<Payout | null>;
  /** PENDING payouts created before `olderThan`, oldest first. */
  pending(olderThan: Date, limit: number): Promise<Payout[]>;
  /** PENDING → SUCCESS, once. */
  markSucceeded(reference: string, providerReference: string | null): Promise<{ applied: boolean; payout: Payout }>;
  /** PENDING → FAILED and the money back to the merchant, in one transaction, exactly once. */
  markFailed(reference: string, reason: string, providerReference: string | null): Promise<{ applied: boolean; payout: Payout }>;
}
