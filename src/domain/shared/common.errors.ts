import { DomainError } from './domain-error.ts';

/** Refusals several contexts give alike: bad dates and JSON, signatures, access tokens, the providers' failures. */
export const CommonErrors = {
  sessionStoreUnavailable: () => new DomainError('SESSION_STORE_UNAVAILABLE', 'unavailable', 'session store unavailable; try again shortly'),
  invalidDate: (message: string, details?: DomainError['details']) => new DomainError('INVALID_DATE', 'invalid', message, details),
  unauthenticated: () => new DomainError('UNAUTHENTICATED', 'unauthenticated', 'access token required'),
  forbidden: (message: string) => new DomainError('FORBIDDEN', 'forbidden', message),
  staleTimestamp: (message: string) => new DomainError('STALE_TIMESTAMP', 'unauthenticated', message),
  invalidJson: (message: string) => new DomainError('INVALID_JSON', 'invalid', message),
  invalidSignature: (message: string) => new DomainError('INVALID_SIGNATURE', 'unauthenticated', message),
  invalidToken: (message: string) => new DomainError('INVALID_TOKEN', 'unauthenticated', message),
  providerUnavailable: (message: string) => new DomainError('PROVIDER_UNAVAILABLE', 'unavailable', message),
  providerError: (message: string) => new DomainError('PROVIDER_ERROR', 'bad_gateway', message),
  providerTimeout: () => new DomainError('PROVIDER_TIMEOUT', 'timeout', 'disbursement provider did not answer in time'),
};
