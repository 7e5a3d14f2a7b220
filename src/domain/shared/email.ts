export const EMAIL_MAX = 255;
// A pragmatic address check (the mail server is the final judge): one @, no spaces, a dotted domain.
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The stored form of an email address (trimmed, lowercased: compared case-insensitively); null when it is not one. */
export function normaliseEmail(input: string): string | null {
  const email = input.trim().toLowerCase();
  return email.length <= EMAIL_MAX && EMAIL_PATTERN.test(email) ? email : null;
}

/** Text with an `@` is meant as an email address (well-formed or not): it never names a username. */
export function looksLikeEmail(text: string): boolean {
  return text.includes('@');
}
