import { KycErrors } from './wallet.errors.ts';

/**
 * Know-your-customer tiers of Bank Indonesia's e-money regulation (PBI 20/6/PBI/2018, revised
 * 2022): an account is UNREGISTERED from registration until an operator has verified its holder's
 * identity, then REGISTERED. The tier decides the account's limits (balance, monthly incoming,
 * transfers to other people). The one list of tiers: the database enum is created from it.
 */
export const KYC_TIERS = ['UNREGISTERED', 'REGISTERED'] as const;
export type KycTier = (typeof KYC_TIERS)[number];

/** Identity documents an operator may verify against (KTP: the Indonesian national identity card). */
export const ID_TYPES = ['KTP'] as const;
export type IdType = (typeof ID_TYPES)[number];

/** What an operator records when verifying a holder's identity (plain text: only the CLI sees it). */
export interface IdentityDocument {
  idType: IdType;
  /** A KTP's NIK: 16 digits. */
  idNumber: string;
  /** The holder's name as on the document, when the operator gives it. */
  name: string | null;
}

/** Kept here too for the callers that import it from this file; the constructors live in wallet.errors.ts. */
export { KycErrors };

/** Checks and normalises what the operator typed; refuses anything that is not a plausible document. */
export function parseIdentity(input: { idType: string; idNumber: string; name?: string | null }): IdentityDocument {
  const idType = input.idType.trim().toUpperCase();
  if (!(ID_TYPES as readonly string[]).includes(idType)) throw KycErrors.invalidIdentity('id_type', `id type must be one of ${ID_TYPES.join(', ')}`);
  const idNumber = input.idNumber.replace(/[\s.-]/g, '');
  // A NIK is 16 digits (province, regency, district, birth date, serial); the check is shape only.
  if (!/^\d{16}$/.test(idNumber)) throw KycErrors.invalidIdentity('id_number', 'a KTP number (NIK) is 16 digits');
  const name = input.name?.trim() ? input.name.trim() : null;
  if (name !== null && (name.length > 200 || /[\p{Cc}]/u.test(name))) throw KycErrors.invalidIdentity('name', 'name must be at most 200 printable characters');
  return { idType: idType as IdType, idNumber, name };
}

/** An identity number as it may be shown anywhere but the operator CLI: all but the last four digits hidden. */
export function maskIdNumber(idNumber: string): string {
  return idNumber.length <= 4 ? '*'.repeat(idNumber.length) : '*'.repeat(idNumber.length - 4) + idNumber.slice(-4);
}

/** A name as it may be shown outside the CLI: initials only. */
export function maskName(name: string): string {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => `${[...w][0]}${'*'.repeat(Math.max(0, [...w].length - 1))}`)
    .join(' ');
}

/**
 * Encrypts and decrypts identity data at rest. The key lives in configuration (never in the
 * database), so a copy of the database alone reveals no identity.
 */
export interface IdentityCipher {
  encrypt(plain: string): string;
  decrypt(sealed: string): string;
}

/** A verified identity as stored: sealed by the cipher, plus the masked form for display. */
export interface StoredIdentity {
  idType: IdType;
  idNumberSealed: string;
  nameSealed: string | null;
  idNumberMasked: string;
  verifiedBy: string;
  verifiedAt: Date;
}
