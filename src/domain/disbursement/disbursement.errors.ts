import { DomainError } from '../shared/domain-error.ts';

/** The disbursement (bank transfer) protocol's refusals, as the provider and its sandbox answer them. */
export const DisbursementErrors = {
  invalidField: () => new DomainError('INVALID_FIELD', 'invalid', 'partnerReferenceNo, amount {value, currency IDR} and beneficiaryAccountNo are required'),
  /** A repeat of a transfer reference with another amount (the caller's bug). */
  inconsistentRequest: () => new DomainError('INCONSISTENT_REQUEST', 'conflict', 'partnerReferenceNo used with another amount'),
  notPending: (message: string) => new DomainError('NOT_PENDING', 'conflict', message),
  invalidPartner: () => new DomainError('INVALID_PARTNER', 'unauthenticated', 'unknown X-PARTNER-ID'),
  invalidExternalId: () => new DomainError('INVALID_EXTERNAL_ID', 'invalid', 'X-EXTERNAL-ID is required'),
};

export const PayoutErrors = {
  noBankAccount: () => new DomainError('MERCHANT_NO_BANK_ACCOUNT', 'business_rule', 'the merchant has no settlement bank account'),
  nothingToPay: () => new DomainError('NOTHING_TO_PAY_OUT', 'business_rule', 'the merchant has no balance to pay out'),
  notFound: () => new DomainError('PAYOUT_NOT_FOUND', 'not_found', 'payout not found'),
  invalidReference: () => new DomainError('INVALID_PAYOUT_REFERENCE', 'invalid', 'a payout reference is PO- then up to 40 of A-Z, 0-9, -'),
  referenceReused: () => new DomainError('PAYOUT_REFERENCE_REUSED', 'conflict', 'this payout reference was used for another merchant or amount'),
};
