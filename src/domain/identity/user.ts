import type { Money } from '../shared/money.ts';
import type { AccountStatus } from '../wallet/account.ts';

export const ROLES = ['USER', 'ADMIN'] as const;
export type Role = (typeof ROLES)[number];

/** A person who can log in. The password is only ever held as an Argon2id hash. */
export interface User {
  id: number;
  username: string;
  /** Lowercased: emails are compared case-insensitively. */
  email: string;
  /** E.164, `+628…`. */
  phone: string;
  passwordHash: string;
  role: Role;
  createdAt: Date;
  updatedAt: Date;
}

/** What registration stores: validated, normalised fields and the password's hash. */
export interface NewUser {
  username: string;
  email: string;
  phone: string;
  passwordHash: string;
}

/** The IDR account every user gets at registration (the wallet context owns it afterwards). */
export interface AccountSummary {
  id: string;
  balance: Money;
  currency: string;
  accountStatus: AccountStatus;
  createdAt: Date;
}

/** The fields a client may see of a user: never the hash. */
export function publicProfile(user: User): { id: number; username: string; email: string; phone: string; role: Role; createdAt: Date; updatedAt: Date } {
  return { id: user.id, username: user.username, email: user.email, phone: user.phone, role: user.role, createdAt: user.createdAt, updatedAt: user.updatedAt };
}
