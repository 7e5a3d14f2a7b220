import type { Account, AccountStatus } from './account.ts';

/** Reads customer accounts and changes their status (balances change only through the ledger). */
export interface AccountRepository {
  findByUserId(userId: number): Promise<Account | null>;
  findById(id: string): Promise<Account | null>;
  /** A transfer recipient: by username, by phone (any accepted Indonesian form) or by account id. */
  findRecipient(recipient: string): Promise<(Account & { username: string }) | null>;
  /** The user's registered phone (+628…), whose e-wallet the wallet page shows. */
  phoneOf(userId: number): Promise<string | null>;
  /** Changes a customer account's status under a row lock; `check` runs on the locked row. */
  changeStatus(accountId: string, to: AccountStatus, check: (locked: Account, pendingTopUps: number) => void): Promise<{ before: Account; after: Account }>;
}
