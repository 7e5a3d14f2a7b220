import type { LoginIdentifier } from './credentials.ts';
import type { IdentityEvent } from './identity.events.ts';
import type { AccountSummary, NewUser, Role, User } from './user.ts';

export interface UserRepository {
  /**
   * Creates the user and its ACTIVE IDR account (balance 0.00), and records `event(user, account)`,
   * in one transaction. The database's unique constraints decide duplicates, even under
   * concurrent registrations: a violation becomes `alreadyRegistered(field)` (409), never a 500.
   */
  registerWithAccount(user: NewUser, event: (user: User, account: AccountSummary) => IdentityEvent): Promise<{ user: User; account: AccountSummary }>;
  /** The user the identifier names, looked up only in the column of its kind (phone, email or username). */
  findByLogin(identifier: LoginIdentifier): Promise<User | null>;
  findById(id: number): Promise<User | null>;
  findByUsername(username: string): Promise<User | null>;
  accountOf(userId: number): Promise<AccountSummary | null>;
  updatePasswordHash(userId: number, passwordHash: string): Promise<void>;
  setRole(userId: number, role: Role): Promise<void>;
  list(filter: { role?: Role; limit: number; offset: number }): Promise<User[]>;
}
