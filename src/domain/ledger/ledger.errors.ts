import { DomainError } from '../shared/domain-error.ts';

export const LedgerErrors = {
  transactionNotFound: () => new DomainError('TRANSACTION_NOT_FOUND', 'not_found', 'transaction not found'),
  notRefundable: (why: string) => new DomainError('TRANSACTION_NOT_REFUNDABLE', 'business_rule', why),
  refundExceedsPayment: (left: string) => new DomainError('REFUND_EXCEEDS_PAYMENT', 'business_rule', `refund exceeds what is left to refund (${left})`),
};
