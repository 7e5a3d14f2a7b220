import { maskPhone } from '../ledger/transaction.ts';
import { classifyIdentifier, type Identifier } from '../shared/identifier.ts';
import type { Account } from './account.ts';

const ACCOUNT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Who a transfer's `recipient` names: an account id, else what shared/identifier.ts makes of it —
 * a phone (any accepted form) means that phone only, never a username. An email names nobody here
 * (transfers go to a username, a phone or an account id).
 */
export type RecipientRef = { kind: 'account'; accountId: string } | Identifier;

export function parseRecipient(text: string): RecipientRef {
  const trimmed = text.trim();
  return ACCOUNT_ID.test(trimmed) ? { kind: 'account', accountId: trimmed.toLowerCase() } : classifyIdentifier(trimmed);
}

/** A customer account that can be named as a recipient, with its owner's identity. */
export interface Recipient extends Account {
  username: string;
  /** +628… */
  phone: string;
}

/** What a sender is shown of the person they pay: enough to recognise them, not to learn their data. */
export interface MaskedRecipient {
  accountId: string;
  username: string;
  phone: string;
}

/**
 * "bu****so": the first two and last two characters (one character for names of four or fewer),
 * and always four stars, so the mask does not tell the length either.
 */
export function maskUsername(username: string): string {
  const chars = [...username];
  return chars.length <= 4 ? `${chars[0] ?? ''}****` : `${chars.slice(0, 2).join('')}****${chars.slice(-2).join('')}`;
}

export function maskRecipient(r: Recipient): MaskedRecipient {
  return { accountId: r.id, username: maskUsername(r.username), phone: maskPhone(r.phone) };
}
