import { looksLikeEmail, normaliseEmail } from './email.ts';
import { parseIndonesianMobile } from './phone.ts';

/**
 * What a person typed to name someone (the login form's `username` field, a transfer's recipient),
 * classified before any lookup: a phone number in any accepted form means that phone only, text
 * with an `@` means that email only, and only the rest is a username. Registration refuses
 * usernames that would classify as anything else (credentials.ts), so one identifier can never
 * match two people, and a look-alike username can never capture a phone number's lookups.
 */
export type Identifier =
  | { kind: 'phone'; /** +628… */ phone: string }
  | { kind: 'email'; /** Lowercased (a malformed one names nobody: stored emails are well-formed). */ email: string }
  | { kind: 'username'; /** As typed (trimmed); compared case-insensitively. */ username: string };

export function classifyIdentifier(text: string): Identifier {
  const trimmed = text.trim();
  const phone = parseIndonesianMobile(trimmed);
  if (phone) return { kind: 'phone', phone };
  if (looksLikeEmail(trimmed)) return { kind: 'email', email: normaliseEmail(trimmed) ?? trimmed.toLowerCase() };
  return { kind: 'username', username: trimmed };
}
