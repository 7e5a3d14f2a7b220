import type { Money } from '../shared/money.ts';
import { DomainError } from '../shared/domain-error.ts';

/**
 * The one list of each: the database enums (transaction_type, transaction_status, payment_method),
 * the entity schemas, the HTTP schemas and the OpenAPI document all take them from here.
 * A new value also needs a migration (`alter type ... add value`).
 */
export const TRANSACTION_TYPES = ['TOPUP', 'PAYMENT', 'REFUND', 'TRANSFER'] as const;
export type TransactionType = (typeof TRANSACTION_TYPES)[number];
export const TRANSACTION_STATUSES = ['PENDING', 'SUCCESS', 'FAILED', 'CANCELLED'] as const;
export type TransactionStatus = (typeof TRANSACTION_STATUSES)[number];
/** The e-wallet providers a top-up goes through (also the reconciliation's providers). */
export const PAYMENT_METHODS = ['GOPAY', 'SHOPEE_PAY'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

/** One customer-side row of the ledger (historical_transactions). */
export interface LedgerTransaction {
  id: string;
  userId: number;
  accountId: string;
  transactionId: string;
  type: TransactionType;
  status: TransactionStatus;
  amount: Money;
  balanceBefore: Money;
  balanceAfter: Money;
  currency: 'IDR';
  description: string | null;
  externalReference: string | null;
  paymentMethod: PaymentMethod | null;
  metadata: Record<string, unknown> | null;
  relatedTransactionId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** PENDING → SUCCESS | FAILED | CANCELLED; the three outcomes are final. */
const TRANSITIONS: Record<TransactionStatus, readonly TransactionStatus[]> = {
  PENDING: ['SUCCESS', 'FAILED', 'CANCELLED'],
  SUCCESS: [],
  FAILED: [],
  CANCELLED: [],
};

export const canTransition = (from: TransactionStatus, to: TransactionStatus): boolean => TRANSITIONS[from].includes(to);

export function assertTransition(from: TransactionStatus, to: TransactionStatus): void {
  if (!canTransition(from, to)) throw new DomainError('INVALID_STATUS_TRANSITION', 'conflict', `a ${from} transaction cannot become ${to}`);
}

export const isFinal = (s: TransactionStatus): boolean => TRANSITIONS[s].length === 0;

/** "+62812****5678": enough to recognise one's own number, not enough to reuse it. */
export function maskPhone(phone: string): string {
  if (phone.length < 9) return '****';
  return `${phone.slice(0, 6)}****${phone.slice(-4)}`;
}
