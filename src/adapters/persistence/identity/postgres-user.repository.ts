import type { EntityManager } from '@mikro-orm/postgresql';
import type { Orm } from '../orm.ts';
import { appendOutboxEvent } from '../outbox.ts';
import { Money } from '../../../domain/shared/money.ts';
import type { LoginIdentifier } from '../../../domain/identity/credentials.ts';
import { alreadyRegistered, type UniqueField } from '../../../domain/identity/identity.errors.ts';
import type { IdentityEvent } from '../../../domain/identity/identity.events.ts';
import type { UserRepository } from '../../../domain/identity/user.repository.ts';
import type { AccountSummary, NewUser, Role, User } from '../../../domain/identity/user.ts';

interface UserRow {
  id: number;
  username: string;
  email: string;
  phone: string;
  password: string;
  role: Role;
  created_at: Date;
  updated_at: Date;
}

interface AccountRow {
  id: string;
  balance: string;
  currency: string;
  account_status: AccountSummary['accountStatus'];
  created_at: Date;
}

const USER_COLUMNS = 'id, username, email, phone, password, role, created_at, updated_at';
const ACCOUNT_COLUMNS = 'id, balance, currency, account_status, created_at';

// Which unique constraint names which field (the initial schema's and the case-insensitive indexes).
const FIELD_BY_CONSTRAINT: Record<string, UniqueField> = {
  users_username_key: 'username',
  users_username_lower_unique: 'username',
  users_email_key: 'email',
  users_email_lower_unique: 'email',
  users_phone_key: 'phone',
};

export const toUser = (r: UserRow): User => ({
  id: Number(r.id),
  username: r.username,
  email: r.email,
  phone: r.phone,
  passwordHash: r.password,
  role: r.role,
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at),
});

const toAccount = (r: AccountRow): AccountSummary => ({
  id: r.id,
  balance: Money.parse(String(r.balance)),
  currency: r.currency,
  accountStatus: r.account_status,
  createdAt: new Date(r.created_at),
});

/** Users (and the account opened with them) in PostgreSQL, with raw SQL where the rules live in the database. */
export class PostgresUserRepository implements UserRepository {
  private readonly orm: Orm;
  private readonly topic: string;

  constructor(orm: Orm, opts: { topic: string }) {
    this.orm = orm;
    this.topic = opts.topic;
  }

  async registerWithAccount(input: NewUser, event: (user: User, account: AccountSummary) => IdentityEvent): Promise<{ user: User; account: AccountSummary }> {
    try {
      return await this.orm.em.fork().transactional(async (em) => {
        const [u] = (await em.execute(
          `insert into users (username, email, phone, password, role) values (?, ?, ?, ?, 'USER') returning ${USER_COLUMNS}`,
          [input.username, input.email, input.phone, input.passwordHash],
        )) as UserRow[];
        const user = toUser(u!);
        const [a] = (await em.execute(
          `insert into accounts (user_id, balance, currency, account_status) values (?, 0.00, 'IDR', 'ACTIVE') returning ${ACCOUNT_COLUMNS}`,
          [user.id],
        )) as AccountRow[];
        const account = toAccount(a!);
        await this.append(em, event(user, account));
        return { user, account };
      });
    } catch (err) {
      const field = FIELD_BY_CONSTRAINT[(err as { constraint?: string }).constraint ?? ''];
      if ((err as { code?: string }).code === '23505' && field) throw alreadyRegistered(field);
      throw err;
    }
  }

  async findByLogin(id: LoginIdentifier): Promise<User | null> {
    // The identifier was classified first: a phone-like or email-like text is looked up in its own
    // column only, so a username can never capture it (src/domain/shared/identifier.ts).
    const [where, value] =
      id.kind === 'phone' ? ['phone = ?', id.phone] : id.kind === 'email' ? ['lower(email) = ?', id.email] : ['lower(username) = lower(?)', id.username];
    const rows = (await this.orm.em.fork().execute(`select ${USER_COLUMNS} from users where ${where}`, [value])) as UserRow[];
    return rows[0] ? toUser(rows[0]) : null;
  }

  async findById(id: number): Promise<User | null> {
    const rows = (await this.orm.em.fork().execute(`select ${USER_COLUMNS} from users where id = ?`, [id])) as UserRow[];
    return rows[0] ? toUser(rows[0]) : null;
  }

  async findByUsername(username: string): Promise<User | null> {
    const rows = (await this.orm.em.fork().execute(`select ${USER_COLUMNS} from users where lower(username) = lower(?)`, [username])) as UserRow[];
    return rows[0] ? toUser(rows[0]) : null;
  }

  async accountOf(userId: number): Promise<AccountSummary | null> {
    const rows = (await this.orm.em.fork().execute(`select ${ACCOUNT_COLUMNS} from accounts where user_id = ?`, [userId])) as AccountRow[];
    return rows[0] ? toAccount(rows[0]) : null;
  }

  async updatePasswordHash(userId: number, passwordHash: string): Promise<void> {
    await this.orm.em.fork().execute(`update users set password = ?, updated_at = now() where id = ?`, [passwordHash, userId]);
  }

  async setRole(userId: number, role: Role): Promise<void> {
    await this.orm.em.fork().execute(`update users set role = ?::user_role, updated_at = now() where id = ?`, [role, userId]);
  }

  async list(filter: { role?: Role; limit: number; offset: number }): Promise<User[]> {
    const rows = (await this.orm.em.fork().execute(
      `select ${USER_COLUMNS} from users where (?::user_role is null or role = ?::user_role) order by id limit ? offset ?`,
      [filter.role ?? null, filter.role ?? null, filter.limit, filter.offset],
    )) as UserRow[];
    return rows.map(toUser);
  }

  private async append(em: EntityManager, e: IdentityEvent): Promise<void> {
    await appendOutboxEvent(em, { topic: this.topic, type: e.type, key: e.key, payload: e.payload });
  }
}
