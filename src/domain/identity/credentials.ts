import type { FieldError } from '../shared/domain-error.ts';
import { validationFailed } from './identity.errors.ts';

export const USERNAME_PATTERN = /^[A-Za-z0-9_.]{3,50}$/;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;
export const EMAIL_MAX = 255;
// A pragmatic address check (the mail server is the final judge): one @, no spaces, a dotted domain.
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
// Indonesian mobile numbers: national significant number 8xx…, 9 to 12 digits.
const MOBILE_NSN = /^8[1-9]\d{7,10}$/;

/**
 * `08…`, `628…` or `+628…` (spaces, dashes, dots and parentheses tolerated) → `+628…`;
 * null for anything that is not an Indonesian mobile number.
 */
export function normaliseIndonesianPhone(input: string): string | null {
  const compact = input.trim().replace(/[\s\-.()]/g, '');
  let nsn: string | undefined;
  if (compact.startsWith('+62')) nsn = compact.slice(3);
  else if (compact.startsWith('62')) nsn = compact.slice(2);
  else if (compact.startsWith('0')) nsn = compact.slice(1);
  return nsn !== undefined && MOBILE_NSN.test(nsn) ? `+62${nsn}` : null;
}

export function normaliseEmail(input: string): string | null {
  const email = input.trim().toLowerCase();
  return email.length <= EMAIL_MAX && EMAIL_PATTERN.test(email) ? email : null;
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

/** Validates and normalises a registration; every field's problem is reported at once (400 with `errors`). */
export function parseRegistration(input: RegistrationInput): RegistrationInput {
  const errors: FieldError[] = [];
  const username = input.username.trim();
  if (!USERNAME_PATTERN.test(username)) errors.push({ field: 'username', message: 'must be 3–50 characters of letters, digits, _ and .' });
  const email = normaliseEmail(input.email);
  if (!email) errors.push({ field: 'email', message: 'must be a valid email address' });
  const phone = normaliseIndonesianPhone(input.phone);
  if (!phone) errors.push({ field: 'phone', message: 'must be an Indonesian mobile number (08…, 628… or +628…)' });
  if (!passwordLengthOk(input.password)) errors.push({ field: 'password', message: `must be ${PASSWORD_MIN}–${PASSWORD_MAX} characters` });
  if (errors.length) throw validationFailed(errors);
  return { username, email: email!, phone: phone!, password: input.password };
}

/** What a client typed in the login form's `username` field: a username, an email or a phone number. */
export interface LoginIdentifier {
  /** Compared case-insensitively with usernames. */
  username: string;
  /** Set when the text is an email address. */
  email: string | null;
  /** Set when the text is an Indonesian mobile number (a username made of digits may match too). */
  phone: string | null;
}

export function parseLoginIdentifier(text: string): LoginIdentifier {
  const trimmed = text.trim();
  return {
    username: trimmed,
    email: trimmed.includes('@') ? normaliseEmail(trimmed) : null,
    phone: normaliseIndonesianPhone(trimmed),
  };
}
