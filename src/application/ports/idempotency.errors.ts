import { DomainError } from '../../domain/shared/domain-error.ts';

/** Idempotency-Key refusals: a key reused for another request, or one still being processed. */
export const IdempotencyErrors = {
  idempotencyKeyReused: () => new DomainError('IDEMPOTENCY_KEY_REUSED', 'business_rule', 'Idempotency-Key was already used with a different request'),
  idempotencyKeyInFlight: (message: string, details?: DomainError['details']) => new DomainError('IDEMPOTENCY_KEY_IN_FLIGHT', 'conflict', message, details),
  invalidIdempotencyKey: () => new DomainError('INVALID_IDEMPOTENCY_KEY', 'invalid', 'Idempotency-Key must be 1-255 visible ASCII characters'),
};
