import { DomainError } from '../shared/domain-error.ts';

/** The e-wallets' refusals: unknown methods and wallets, bad notifications, and the sandboxes' control API. */
export const EWalletErrors = {
  unsupportedPaymentMethod: (message: string) => new DomainError('UNSUPPORTED_PAYMENT_METHOD', 'invalid', message),
  ewalletNotFound: (message: string, details?: DomainError['details']) => new DomainError('EWALLET_NOT_FOUND', 'business_rule', message, details),
  bodyTooLarge: () => new DomainError('BODY_TOO_LARGE', 'invalid', 'body too large'),
  invalidPhone: () => new DomainError('INVALID_PHONE', 'invalid', 'phone is required'),
  invalidBehaviour: (message: string) => new DomainError('INVALID_BEHAVIOUR', 'invalid', message),
  invalidSettle: () => new DomainError('INVALID_SETTLE', 'invalid', 'reference and status (SUCCESS or FAILED) are required'),
  invalidTopup: (message: string) => new DomainError('INVALID_TOPUP', 'invalid', message),
  invalidNotification: (message: string) => new DomainError('INVALID_NOTIFICATION', 'invalid', message),
  ewalletAccountNotFound: (message: string) => new DomainError('EWALLET_ACCOUNT_NOT_FOUND', 'not_found', message),
  inconsistentRequest: () => new DomainError('INCONSISTENT_REQUEST', 'conflict', 'reference already used for another top-up'),
  noEwalletNumber: (message: string) => new DomainError('NO_EWALLET_NUMBER', 'invalid', message),
};
