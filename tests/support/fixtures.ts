import type { Orm } from '../../src/adapters/persistence/orm.ts';
import { uniq } from './services.ts';

export interface TestUser {
  userId: number;
  username: string;
  email: string;
  phone: string;
  accountId: string;
}

/** A user and its ACTIVE IDR account, straight in the database (for suites that do not test registration). */
export async function createUser(
  orm: Orm,
  opts: { balance?: string; role?: 'USER' | 'ADMIN'; status?: 'ACTIVE' | 'SUSPENDED' | 'CLOSED' } = {},
): Promise<TestUser> {
  const username = uniq('fx_');
  const email = `${username}@example.com`;
  const phone = `+62812${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
  const conn = orm.em.getConnection();
  const [u] = (await conn.execute(`insert into users (username, email, phone, password, role) values (?, ?, ?, 'not-a-login-hash', ?) returning id`, [
    username,
    email,
    phone,
    opts.role ?? 'USER',
  ])) as [{ id: number }];
  const [a] = (await conn.execute(`insert into accounts (user_id, balance, account_status, kyc_tier) values (?, ?, ?, 'REGISTERED') returning id`, [
    u.id,
    opts.balance ?? '0.00',
    opts.status ?? 'ACTIVE',
  ])) as [{ id: string }];
  return { userId: u.id, username, email, phone, accountId: a.id };
}
