/**
 * Indonesian mobile numbers, the one parser every phone passes through: registration, login,
 * transfer recipients, top-ups' e-wallet phone, operators' `--account` (and so the rule that says
 * which identifiers are phone numbers and can therefore never be usernames).
 *
 * The rule. After removing the separators people type between digit groups (spaces, `-`, `.`,
 * `(`, `)`), the text is one of
 *   `+62` NSN, `62` NSN, `0` NSN, or the bare NSN (what a form with a fixed "+62" asks for),
 * where the national significant number (NSN) of a mobile line is `8`, an operator digit 1–9, and
 * 7 to 10 more digits: 9 to 12 digits in all (Indonesia's mobile ranges are 08xx-xxxx-xxxx, 10 to 13
 * digits with the trunk 0; `080…` is not allocated to mobile operators). Only ASCII digits count.
 * The stored form is E.164: `+62` followed by the NSN.
 */

export const PHONE_FORMS = 'an Indonesian mobile number: 8…, 08…, 628… or +628… (spaces, dashes, dots and parentheses allowed)';

const SEPARATORS = /[\s\-.()]/g;
const MOBILE_NSN = /^8[1-9]\d{7,10}$/;
// Longest prefix first: `62…` is the country code, never the start of a national number (those start with 8).
const PREFIXES = ['+62', '62', '0', ''] as const;

/** `+628…` when the text is an Indonesian mobile number in any accepted form; null otherwise. */
export function parseIndonesianMobile(text: string): string | null {
  const compact = text.replace(SEPARATORS, '');
  for (const prefix of PREFIXES) {
    if (!compact.startsWith(prefix)) continue;
    const nsn = compact.slice(prefix.length);
    if (MOBILE_NSN.test(nsn)) return `+62${nsn}`;
  }
  return null;
}
