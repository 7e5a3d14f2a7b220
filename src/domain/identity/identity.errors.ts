import { DomainError, type FieldError } from '../shared/domain-error.ts';

export type UniqueField = 'username' | 'email' | 'phone';

export const validationFailed = (errors: FieldError[]): DomainError => new DomainError('VALIDATION_ERROR', 'invalid', 'validation failed', { errors });

/**
 * 409 naming the field in its code and message: USERNAME_ALREADY_EXISTS, EMAIL_ALREADY_EXISTS,
 * PHONE_ALREADY_EXISTS (the contract keeps `errors` for validation failures).
 */
export const alreadyRegistered = (field: UniqueField): DomainError =>
  new DomainError(`${field.toUpperCase()}_ALREADY_EXISTS`, 'conflict', `${field} is already registered`, { field });

/**
 * A username that would be read as a phone number or an email (or has no letter): such an
 * identifier only ever names that phone or email, so it cannot be anyone's username.
 */
export const usernameLooksLikeContact = (message: string): DomainError =>
  new DomainError('USERNAME_LOOKS_LIKE_PHONE_OR_EMAIL', 'invalid', message, { errors: [{ field: 'username', message }] });

/** One answer for an unknown user and a wrong password, so the response never tells which. */
export const invalidCredentials = (): DomainError => new DomainError('INVALID_CREDENTIALS', 'unauthenticated', 'invalid username or password');

export const tooManyLoginAttempts = (retryAfterSeconds: number): DomainError =>
  new DomainError('TOO_MANY_LOGIN_ATTEMPTS', 'rate_limited', 'too many failed login attempts; try again later', { retryAfterSeconds });

export const refreshTokenRequired = (): DomainError => new DomainError('REFRESH_TOKEN_REQUIRED', 'unauthenticated', 'refresh token required');

export const invalidRefreshToken = (why = 'invalid, expired or revoked refresh token'): DomainError =>
  new DomainError('INVALID_REFRESH_TOKEN', 'unauthenticated', why);

export const refreshTokenReused = (): DomainError =>
  new DomainError('REFRESH_TOKEN_REUSED', 'unauthenticated', 'refresh token was already used; the session has been revoked, log in again');

export const userNotFound = (): DomainError => new DomainError('USER_NOT_FOUND', 'not_found', 'user not found');

/** The codes above are functions of their own; these are the identity context's others. */
export const IdentityErrors = {
  tooManyRegistrations: (message: string, details?: DomainError['details']) => new DomainError('TOO_MANY_REGISTRATIONS', 'rate_limited', message, details),
  tokenKeysUnavailable: () =>
    new DomainError('TOKEN_KEYS_UNAVAILABLE', 'unavailable', 'the keys that verify access tokens cannot be fetched right now; try again shortly'),
};
