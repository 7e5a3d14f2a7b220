import { DomainError } from '../shared/domain-error.ts';
import { PERMISSIONS } from './permissions.ts';
import type { RateLimitDecision } from './regulator.ports.ts';

/**
 * The regulator API's refusals (the gate in front of every regulator route) and the operator's
 * (external services and their keys). SERVICE_INACTIVE and API_KEY_REVOKED each have two
 * constructors because the gate answers them 401 (the caller's key is refused) while the operator's
 * commands answer them as broken business rules — the codes and statuses clients rely on today.
 */
export const RegulatorErrors = {
  // The gate.
  apiKeyMissing: () => new DomainError('API_KEY_MISSING', 'unauthenticated', 'API key required in the X-API-Key header'),
  apiKeyInQuery: () => new DomainError('API_KEY_IN_QUERY', 'invalid', 'send the API key in the X-API-Key header, never in the query string'),
  /** An unknown prefix and a wrong secret answer alike. */
  apiKeyInvalid: () => new DomainError('API_KEY_INVALID', 'unauthenticated', 'invalid API key'),
  apiKeyInactive: () => new DomainError('API_KEY_INACTIVE', 'unauthenticated', 'API key is inactive'),
  apiKeyRevoked: () => new DomainError('API_KEY_REVOKED', 'unauthenticated', 'API key was revoked'),
  apiKeyExpired: () => new DomainError('API_KEY_EXPIRED', 'unauthenticated', 'API key has expired'),
  keyOfInactiveService: () => new DomainError('SERVICE_INACTIVE', 'unauthenticated', 'external service is inactive'),
  ipNotAllowed: () => new DomainError('IP_NOT_ALLOWED', 'forbidden', 'this API key may not be used from this address'),
  permissionDenied: (permission: string) => new DomainError('PERMISSION_DENIED', 'forbidden', `API key lacks the ${permission} permission`),
  rateLimited: (decision: RateLimitDecision) =>
    new DomainError('RATE_LIMITED', 'rate_limited', `rate limit exceeded (${decision.limit} per ${decision.window})`, {
      retryAfterSeconds: decision.retryAfterSeconds,
    }),
  rateLimiterUnavailable: () => new DomainError('RATE_LIMITER_UNAVAILABLE', 'unavailable', 'rate limiting is unavailable; try again later'),

  // The operator's commands.
  invalidService: (why: string) => new DomainError('INVALID_SERVICE', 'invalid', why),
  serviceExists: (company: string) => new DomainError('SERVICE_EXISTS', 'conflict', `external service "${company}" already exists`),
  serviceNotFound: (idOrCompany: string) => new DomainError('SERVICE_NOT_FOUND', 'not_found', `no external service "${idOrCompany}"`),
  serviceInactive: (company: string) => new DomainError('SERVICE_INACTIVE', 'business_rule', `external service "${company}" is inactive`),
  invalidKey: (why: string) => new DomainError('INVALID_KEY', 'invalid', why),
  apiKeyNotFound: (id: string) => new DomainError('API_KEY_NOT_FOUND', 'not_found', `no API key "${id}"`),
  apiKeyAlreadyRevoked: () => new DomainError('API_KEY_REVOKED', 'business_rule', 'API key is already revoked'),
  invalidPermission: (p: string) => new DomainError('INVALID_PERMISSION', 'invalid', `unknown permission "${p}" (${PERMISSIONS.join(', ')})`),
  invalidRateLimit: (why: string) => new DomainError('INVALID_RATE_LIMIT', 'invalid', why),
  /** The admin CLI's lookups by name (a service in a filter, …). */
  notFound: (what: string) => new DomainError('NOT_FOUND', 'not_found', what),
};
