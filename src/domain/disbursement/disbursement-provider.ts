/**
 * The disbursement provider port: a bank-transfer API that pays money out to a bank account
 * (merchant payouts). Pure TypeScript: the HTTP adapter is src/adapters/disbursement/, the
 * in-memory fake src/adapters/memory/in-memory-disbursement-provider.ts; both pass
 * tests/contract/disbursement-provider.test.ts.
 *
 * Errors, as for e-wallets: DomainError kind 'timeout' (PROVIDER_TIMEOUT) when the outcome is
 * unknown — ask `status` later, never treat it as a failure —, 'bad_gateway' (PROVIDER_ERROR) for
 * a 5xx or an unexpected answer, 'unavailable' when its circuit breaker is open. A rejection by
 * the bank is not an error: `transfer` returns { status: 'FAILED', reason }.
 */
import type { Money } from '../shared/money.ts';

export type DisbursementStatus = 'SUCCESS' | 'PENDING' | 'FAILED';

export interface DisbursementResult {
  status: DisbursementStatus;
  providerReference: string | null;
  reason?: string;
}

export interface TransferOrder {
  /** Our payout reference: the same reference is the same transfer, however often it is sent. */
  reference: string;
  bankCode: string;
  accountNumber: string;
  holderName: string;
  amount: Money;
}

export interface DisbursementProvider {
  transfer(order: TransferOrder): Promise<DisbursementResult>;
  /** FAILED with reason 'NOT_FOUND' when the provider never received the reference. */
  status(reference: string): Promise<DisbursementResult>;
}

/** How a sandbox or fake is told to misbehave (the fault switches). */
export type DisbursementBehaviour =
  { kind: 'slow'; delayMs: number } | { kind: 'fail'; reason?: string } | { kind: 'timeout' } | { kind: 'error' } | { kind: 'pending' };

/** The control side of a sandbox or fake: fault switches and the bank's later verdict on a pending transfer. */
export interface DisbursementControl {
  behave(operation: 'transfer' | 'status', behaviour: DisbursementBehaviour, times?: number): void;
  resetBehaviours(): void;
  settle(reference: string, status: 'SUCCESS' | 'FAILED', reason?: string): void;
  transfer(reference: string): { reference: string; amount: Money; status: DisbursementStatus; accountNumber: string } | null;
  /** How many transfers were made (a replayed reference counts once). */
  transferCount(): number;
}
