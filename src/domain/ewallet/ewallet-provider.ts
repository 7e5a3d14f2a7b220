/**
 * The e-wallet provider port (GoPay, ShopeePay). Pure TypeScript: the HTTP adapters live in
 * src/adapters/ewallet/, the in-memory fake in src/adapters/memory/in-memory-ewallet-provider.ts.
 *
 * Errors: an adapter throws DomainError with kind 'timeout' (code PROVIDER_TIMEOUT) when the
 * outcome is unknown (ask topUpStatus later), 'bad_gateway' (PROVIDER_ERROR) for a 5xx or an
 * unexpected answer, 'unavailable' (PROVIDER_UNAVAILABLE) when its circuit breaker is open.
 * A decline is not an error: topUp returns { status: 'FAILED', reason }.
 */
import type { Money } from '../shared/money.ts';
import type { PaymentMethod } from '../ledger/transaction.ts';

/** A provider is named by the payment method it serves. */
export type EWalletMethod = PaymentMethod;

export interface EWalletAccount {
  phone: string;
  name: string;
  accountNumber: string;
}

export interface EWalletBalance {
  balance: Money;
  currency: 'IDR';
  accountNumber: string;
  lastUpdated: Date;
}

export type TopUpStatus = 'SUCCESS' | 'PENDING' | 'FAILED';

export interface TopUpResult {
  status: TopUpStatus;
  providerReference: string | null;
  reason?: string;
}

/**
 * What a status inquiry can answer: the top-up's status, or NOT_FOUND (the provider has no record
 * of the reference *now*). NOT_FOUND is not a failure: the request may still be on its way or in
 * the provider's queue. Only the finality rule (top-up-finality.ts) turns it into one, once the
 * provider's acceptance window has certainly passed.
 */
export type TopUpInquiry = TopUpResult | { status: 'NOT_FOUND'; providerReference: null };

/** Limits of one top-up call (the send fence of top-up-finality.ts). */
export interface TopUpCallLimits {
  /** Epoch ms after which no attempt may start (the retries stop; the outcome stays unknown). */
  startBy?: number;
}

export interface EWalletProvider {
  readonly method: EWalletMethod;
  /** null = no wallet for this phone. */
  accountInquiry(phone: string): Promise<EWalletAccount | null>;
  /** Throws DomainError('EWALLET_ACCOUNT_NOT_FOUND', 'not_found') when the phone has no wallet. */
  balanceInquiry(phone: string): Promise<EWalletBalance>;
  /** Idempotent on `reference` (our transaction_id): the same reference is the same top-up. */
  topUp(req: { reference: string; phone: string; amount: Money }, limits?: TopUpCallLimits): Promise<TopUpResult>;
  /** { status: 'NOT_FOUND' } when the provider has no record of the reference (yet). */
  topUpStatus(reference: string): Promise<TopUpInquiry>;
  /**
   * The provider's daily statement: every top-up it holds that was created on `date` (YYYY-MM-DD,
   * a day in Jakarta time, UTC+7, as Indonesian providers cut their reports), with its current status.
   */
  statement(date: string): Promise<StatementLine[]>;
}

/** One line of a provider's daily statement. */
export interface StatementLine {
  /** Our reference (transaction_id) given to topUp. */
  reference: string;
  providerReference: string;
  amount: Money;
  status: TopUpStatus;
  reason?: string;
  createdAt: Date;
  updatedAt: Date;
}

/** What a verified provider notification (webhook) says about one top-up. */
export interface EWalletNotification {
  /** Our reference (transaction_id) given to topUp. */
  reference: string;
  status: TopUpStatus;
  providerReference: string;
  reason?: string;
}

/**
 * Verifies a provider's notification from the raw request body and headers (header names in
 * lower case, as Node gives them). Throws DomainError('INVALID_SIGNATURE', 'unauthenticated')
 * on a missing/bad signature or a stale timestamp, DomainError('INVALID_NOTIFICATION', 'invalid')
 * when a correctly signed body is not a notification.
 */
export interface EWalletWebhookVerifier {
  readonly method: EWalletMethod;
  verify(rawBody: Buffer, headers: Record<string, string | string[] | undefined>): EWalletNotification;
}
