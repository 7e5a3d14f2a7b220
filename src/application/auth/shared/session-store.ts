import { DomainError } from '../../../domain/shared/domain-error.ts';
import { CommonErrors } from '../../../domain/shared/common.errors.ts';

/**
 * Runs a key-value store call (Redis) for the auth flows; when the store cannot answer, the request
 * fails closed with 503 — the brute-force limits and the revocation list must not silently switch off.
 */
export async function sessionStore<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof DomainError) throw err;
    throw CommonErrors.sessionStoreUnavailable();
  }
}
