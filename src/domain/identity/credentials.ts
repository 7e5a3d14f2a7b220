import type { FieldError } from '../shared/domain-error.ts';
import { normaliseEmail } from '../shared/email.ts';
import { classifyIdentifier, type Identifier } from '../shared/identifier.ts';
import { PHONE_FORMS, parseIndonesianMobile } from '../shared/phone.ts';
import { usernameLooksLikeContact, validationFailed } from './identity.errors.ts';

export const USERNAME_PATTERN = /^[A-Za-z0-9_.]{3,50}$/;
export const USERNAME_RULE = '3–50 characters of letters, digits, _ and ., with at least one letter';
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

/**
 * Why a username cannot be registered, or null when it can. A username is only ever what is left
 * when an identifier is neither a phone number nor an email (shared/identifier.ts), so a name that
 * would read as either is refused: it could never be looked up, and its owner could pose as that
 * phone's or email's owner. A name needs a letter for the same reason — a string of digits is read
 * as a phone number by people (a mistyped digit should find nobody, not a look-alike).
 */
export function usernameProblem(username: string): { lookAlike: boolean; message: string } | null {
  const kind = classifyIdentifier(username).kind;
  if (kind !== 'username')
    return {
      lookAlike: true,
      message: `a username cannot be ${kind === 'phone' ? 'a phone number' : 'an email address'}: log in and receive transfers with it as your phone or email`,
    };
  if (!/[A-Za-z]/.test(username)) return { lookAlike: true, message: 'a username needs at least one letter, so that it is never read as a phone number' };
  if (!USERNAME_PATTERN.test(username)) return { lookAlike: false, message: `must be ${USERNAME_RULE}` };
  return null;
}

/** Length in characters (code points), checked before any hashing so a huge password costs nothing. */
export function passwordLengthOk(password: string): boolean {
  const n = [...password].length;
  return n >= PASSWORD_MIN && n <= PASSWORD_MAX;
}

export interface RegistrationInput {
  username: string;
  email: string;
  phone: string;
  password: string;
}

/**
 * Validates and normalises a registration; every field's problem is reported at once (400
 * VALIDATION_ERROR with `errors`). A username that looks like a phone number or an email, when it
 * is the only problem, gets its own code (USERNAME_LOOKS_LIKE_PHONE_OR_EMAIL).
 */
export function parseRegistration(input: RegistrationInput): RegistrationInput {
  const errors: FieldError[] = [];
  const username = input.username.trim();
  const problem = usernameProblem(username);
  if (problem) errors.push({ field: 'username', message: problem.message });
  const email = normaliseEmail(input.email);
  if (!email) errors.push({ field: 'email', message: 'must be a valid email address' });
  const phone = parseIndonesianMobile(input.phone.trim());
  if (!phone) errors.push({ field: 'phone', message: `must be ${PHONE_FORMS}` });
  if (!passwordLengthOk(input.password)) errors.push({ field: 'password', message: `must be ${PASSWORD_MIN}–${PASSWORD_MAX} characters` });
  if (errors.length === 1 && problem?.lookAlike) throw usernameLooksLikeContact(problem.message);
  if (errors.length) throw validationFailed(errors);
  return { username, email: email!, phone: phone!, password: input.password };
}

/** What a client typed in the login form's `username` field: exactly one of a phone, an email or a username. */
export type LoginIdentifier = Identifier;

export const parseLoginIdentifier = (text: string): LoginIdentifier => classifyIdentifier(text);
