import type { Money } from '../shared/money.ts';
import type { AccountFreeze } from '../wallet/freeze.ts';
import type { MerchantJournalEntry } from './statement.ts';
import type { Merchant, MerchantCategory, MerchantStatus, MerchantWithBalance, SettlementBankAccount } from './merchant.ts';

export interface NewMerchant {
  code: string;
  name: string;
  category: MerchantCategory;
  bankAccount: SettlementBankAccount | null;
  feeBps: number | null;
}

/** Merchants and their ledger accounts (balances change only through the ledger). */
export interface MerchantRepository {
  /** The merchant and its account at 0.00, in one transaction; MERCHANT_CODE_TAKEN when the code exists. */
  create(m: NewMerchant): Promise<Merchant>;
  findByCode(code: string): Promise<MerchantWithBalance | null>;
  list(): Promise<MerchantWithBalance[]>;
  /** Changes the merchant's and its account's status under a row lock; `check` runs on the locked state. */
  changeStatus(
    code: string,
    to: MerchantStatus,
    check: (locked: MerchantWithBalance) => void,
  ): Promise<{ before: MerchantWithBalance; after: MerchantWithBalance }>;
  /** Freezes (or, with null, unfreezes) the merchant's account under its row lock; `check` runs on the locked state. */
  setFreeze(
    code: string,
    freeze: AccountFreeze | null,
    check: (locked: MerchantWithBalance) => void,
  ): Promise<{ before: MerchantWithBalance; after: MerchantWithBalance }>;
  /** Sets (or, with null, removes) the merchant's own MDR in basis points. */
  setFee(code: string, feeBps: number | null): Promise<MerchantWithBalance>;
  setPayoutReserve(code: string, reserve: Money): Promise<MerchantWithBalance>;
  /** The journal entries of a merchant's account created in [from, to), in journal order, and the balance before the first. */
  journal(accountId: string, from: Date, to: Date): Promise<{ opening: Money; entries: MerchantJournalEntry[] }>;
}
