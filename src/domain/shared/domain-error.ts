/**
 * What went wrong, in the domain's words. The HTTP layer maps the kind to a status with one
 * table (src/adapters/http/error-mapper.ts); the code is a stable UPPER_SNAKE string for clients.
 */
export type ErrorKind =
  'invalid' | 'unauthenticated' | 'forbidden' | 'not_found' | 'conflict' | 'business_rule' | 'rate_limited' | 'unavailable' | 'bad_gateway' | 'timeout';

export interface FieldError {
  field: string;
  message: string;
}

/**
 * Facts a client may know about a refusal, beyond its code (which limit, what remains, which
 * freeze applied): the error envelope carries them as `meta.details`. Never personal data.
 */
export type ErrorFacts = Record<string, string | number | boolean | null>;

export class DomainError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly details: { errors?: FieldError[]; retryAfterSeconds?: number; field?: string; facts?: ErrorFacts } | undefined;

  constructor(code: string, kind: ErrorKind, message: string, details?: DomainError['details']) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    this.kind = kind;
    this.details = details;
  }
}
