import type { Account, AccountStatus } from './account.ts';
import type { Recipient } from './recipient.ts';
import type { StoredIdentity } from './kyc.ts';
import type { AccountFreeze } from './freeze.ts';

/** Reads customer accounts and changes their status (balances change only through the ledger). */
export interface AccountRepository {
  findByUserId(userId: number): Promise<Account | null>;
  /**
   * The id of the user's account, or null. An account never changes owner, so the answer may be
   * remembered: for the payment path's payer, whose status, freeze and balance the ledger reads
   * under the account's lock anyway.
   */
  accountIdOf(userId: number): Promise<string | null>;
  findById(id: string): Promise<Account | null>;
  /**
   * A transfer recipient (a customer account, never a system one), named as parseRecipient
   * classifies it: by account id, by phone (any accepted form) or by username, each looked up in
   * its own column only; an email names nobody.
   */
  findRecipient(recipient: string): Promise<Recipient | null>;
  /** The user's registered phone (+628…), whose e-wallet the wallet page shows. */
  phoneOf(userId: number): Promise<string | null>;
  /** Changes a customer account's status under a row lock; `check` runs on the locked row. */
  changeStatus(accountId: string, to: AccountStatus, check: (locked: Account, pendingTopUps: number) => void): Promise<{ before: Account; after: Account }>;
  /** Freezes (or, with null, unfreezes) a customer account under its row lock; `check` runs on the locked row. */
  setFreeze(accountId: string, freeze: AccountFreeze | null, check: (locked: Account) => void): Promise<{ before: Account; after: Account }>;
  /**
   * Records a verified identity and makes the account REGISTERED, in one transaction under the
   * account's row lock; `check` runs on the locked row (a customer's account, not yet registered).
   */
  register(accountId: string, identity: StoredIdentity, check: (locked: Account) => void): Promise<{ before: Account; after: Account }>;
  /** The sealed identity an operator verified, if any. */
  identityOf(accountId: string): Promise<StoredIdentity | null>;
}
