import type { Money } from '../shared/money.ts';
import { ACCOUNT_STATUSES } from '../wallet/account.ts';
import type { AccountFreeze } from '../wallet/freeze.ts';
import { MerchantErrors } from './merchant.errors.ts';

/** A merchant's status is its account's (the merchants table reuses the account_status enum). */
export const MERCHANT_STATUSES = ACCOUNT_STATUSES;
export type MerchantStatus = (typeof MERCHANT_STATUSES)[number];

/**
 * Bank Indonesia's QRIS merchant categories, which decide the merchant discount rate (MDR):
 * REGULAR (usaha reguler), MICRO (usaha mikro), FUEL (SPBU), PUBLIC_SERVICE (BLU/PSO), EDUCATION,
 * GOVERNMENT (G2P/P2G) and DONATION (social/religious).
 */
export const MERCHANT_CATEGORIES = ['REGULAR', 'MICRO', 'FUEL', 'PUBLIC_SERVICE', 'EDUCATION', 'GOVERNMENT', 'DONATION'] as const;
export type MerchantCategory = (typeof MERCHANT_CATEGORIES)[number];

/** A merchant code is the `merchant_id` clients send when they pay. */
export const MERCHANT_CODE = /^[A-Za-z0-9_.:-]{1,64}$/;

export interface SettlementBankAccount {
  bankCode: string;
  accountNumber: string;
  holderName: string;
}

export interface Merchant {
  id: string;
  code: string;
  name: string;
  category: MerchantCategory;
  status: MerchantStatus;
  bankAccount: SettlementBankAccount | null;
  /** Per-merchant MDR override in basis points (1/100 of a percent); null: the category's rate. */
  feeBps: number | null;
  /** What payouts leave in the merchant's account to cover refunds (0: none). */
  payoutReserve: Money;
  /** The merchant's own ledger account (accounts.merchant_id). */
  accountId: string;
  createdAt: Date;
  updatedAt: Date;
}

/** What a merchant is owed, with the merchant. */
export interface MerchantWithBalance extends Merchant {
  balance: Money;
  /** An operator's freeze of the merchant's account (wallet/freeze.ts), if any. */
  freeze?: AccountFreeze | null;
}

const STATUS_CHANGES: Record<MerchantStatus, MerchantStatus[]> = {
  ACTIVE: ['SUSPENDED', 'CLOSED'],
  SUSPENDED: ['ACTIVE', 'CLOSED'],
  CLOSED: [],
};

/** Kept here too for the callers that import it from this file; the constructors live in merchant.errors.ts. */
export { MerchantErrors };

export function assertMerchantStatusChange(from: MerchantStatus, to: MerchantStatus): void {
  if (!STATUS_CHANGES[from].includes(to)) throw MerchantErrors.statusChangeNotAllowed(from, to);
}

/** Only an ACTIVE merchant takes payments. */
export function assertMerchantAcceptsPayments(m: Pick<Merchant, 'status'>): void {
  if (m.status !== 'ACTIVE') throw MerchantErrors.notActive(m.status);
}

/** "****7890": enough for the merchant to recognise its account, nothing a payer or regulator could reuse. */
export function maskAccountNumber(n: string): string {
  return n.length <= 4 ? '****' : `${'*'.repeat(Math.min(8, n.length - 4))}${n.slice(-4)}`;
}

/** "B*** S***": the holder's initials. */
export function maskHolderName(name: string): string {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => `${w[0]}***`)
    .join(' ');
}

export function maskedBankAccount(b: SettlementBankAccount | null): SettlementBankAccount | null {
  return b && { bankCode: b.bankCode, accountNumber: maskAccountNumber(b.accountNumber), holderName: maskHolderName(b.holderName) };
}

/** Checks a new merchant's fields; returns them normalised. */
export function validateNewMerchant(input: {
  code: string;
  name: string;
  category: string;
  bankAccount?: SettlementBankAccount | null;
  feeBps?: number | null;
}) {
  const code = input.code.trim();
  if (!MERCHANT_CODE.test(code)) throw MerchantErrors.invalid('code', 'letters, digits and _ . : - only, at most 64');
  const name = input.name.trim();
  if (!name || name.length > 255) throw MerchantErrors.invalid('name', 'required, at most 255 characters');
  if (!(MERCHANT_CATEGORIES as readonly string[]).includes(input.category))
    throw MerchantErrors.invalid('category', `one of ${MERCHANT_CATEGORIES.join(', ')}`);
  const b = input.bankAccount ?? null;
  if (b) {
    if (!/^[A-Z0-9]{2,20}$/.test(b.bankCode)) throw MerchantErrors.invalid('bank_code', 'a bank code such as BCA or 014');
    if (!/^\d{5,34}$/.test(b.accountNumber)) throw MerchantErrors.invalid('account_number', '5 to 34 digits');
    if (!b.holderName.trim() || b.holderName.length > 255) throw MerchantErrors.invalid('holder_name', 'required');
  }
  if (input.feeBps != null) assertFeeBps(input.feeBps);
  return { code, name, category: input.category as MerchantCategory, bankAccount: b, feeBps: input.feeBps ?? null };
}

export function assertFeeBps(bps: number): void {
  if (!Number.isInteger(bps) || bps < 0 || bps > 10_000) throw MerchantErrors.invalid('fee', 'basis points, an integer from 0 to 10000');
}
