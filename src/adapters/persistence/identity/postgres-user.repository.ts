import { sql } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import { kysely, type Database } from '../kysely.ts';
import { AccountSchema, UserSchema, type AccountRecord, type UserRecord } from '../schemas/index.ts';
import type { Orm } from '../orm.ts';
import { appendOutboxEvent } from '../outbox.ts';
import { Money } from '../../../domain/shared/money.ts';
import type { LoginIdentifier } from '../../../domain/identity/credentials.ts';
import { alreadyRegistered, type UniqueField } from '../../../domain/identity/identity.errors.ts';
import type { IdentityEvent } from '../../../domain/identity/identity.events.ts';
import type { UserRepository } from '../../../domain/identity/user.repository.ts';
import type { AccountSummary, NewUser, Role, User } from '../../../domain/identity/user.ts';

type UserRow = Pick<UserRecord, 'id' | 'username' | 'email' | 'phone' | 'password' | 'role' | 'createdAt' | 'updatedAt'>;
type AccountRow = Pick<AccountRecord, 'id' | 'currency' | 'accountStatus' | 'createdAt'> & { balance: Money | string };

const USER_COLUMNS = ['id', 'username', 'email', 'phone', 'password', 'role', 'createdAt', 'updatedAt'] as const;
const ACCOUNT_COLUMNS = ['id', 'balance', 'currency', 'accountStatus', 'createdAt'] as const;
type UserWhere = (eb: ExpressionBuilder<Database, 'users'>) => Expression<SqlBool>;
// Case-insensitive comparisons as PostgreSQL's lower() makes them (the unique indexes use it too).
const lowerEquals =
  (column: 'username' | 'email', value: string): UserWhere =>
  (eb) =>
    eb(eb.fn('lower', [column]), '=', eb.fn('lower', [eb.val(value)]));

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
  createdAt: new Date(r.createdAt),
  updatedAt: new Date(r.updatedAt),
});

const toAccount = (r: AccountRow): AccountSummary => ({
  id: r.id,
  balance: Money.parse(String(r.balance)),
  currency: r.currency,
  accountStatus: r.accountStatus,
  createdAt: new Date(r.createdAt),
});

/** Users (and the account opened with them) in PostgreSQL, through the typed query builder; the uniqueness rules live in the database. */
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
        const u: UserRow = await em
          .createQueryBuilder(UserSchema)
          .insert({ username: input.username, email: input.email, phone: input.phone, password: input.passwordHash, role: 'USER' })
          .returning([...USER_COLUMNS])
          .execute('get');
        const user = toUser(u);
        const a: AccountRow = await em
          .createQueryBuilder(AccountSchema)
          .insert({ userId: user.id, balance: Money.zero(), currency: 'IDR', accountStatus: 'ACTIVE' })
          .returning([...ACCOUNT_COLUMNS])
          .execute('get');
        const account = toAccount(a);
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
    const where: UserWhere =
      id.kind === 'phone'
        ? (eb) => eb('phone', '=', id.phone)
        : id.kind === 'email'
          ? (eb) => eb(eb.fn('lower', ['email']), '=', id.email)
          : lowerEquals('username', id.username);
    return this.findUser(where);
  }

  async findById(id: number): Promise<User | null> {
    return this.findUser((eb) => eb('id', '=', id));
  }

  async findByUsername(username: string): Promise<User | null> {
    return this.findUser(lowerEquals('username', username));
  }

  async accountOf(userId: number): Promise<AccountSummary | null> {
    const row: AccountRow | null = await this.orm.em
      .fork()
      .createQueryBuilder(AccountSchema)
      .select([...ACCOUNT_COLUMNS])
      .where({ userId })
      .execute('get');
    return row ? toAccount(row) : null;
  }

  async updatePasswordHash(userId: number, passwordHash: string): Promise<void> {
    await this.orm.em.fork().createQueryBuilder(UserSchema).update({ password: passwordHash, updatedAt: sql.now() }).where({ id: userId }).execute();
  }

  async setRole(userId: number, role: Role): Promise<void> {
    await this.orm.em.fork().createQueryBuilder(UserSchema).update({ role, updatedAt: sql.now() }).where({ id: userId }).execute();
  }

  async list(filter: { role?: Role; limit: number; offset: number }): Promise<User[]> {
    const rows: UserRow[] = await this.orm.em
      .fork()
      .createQueryBuilder(UserSchema)
      .select([...USER_COLUMNS])
      .where(filter.role ? { role: filter.role } : {})
      .orderBy({ id: 'asc' })
      .limit(filter.limit)
      .offset(filter.offset)
      .execute('all');
    return rows.map(toUser);
  }

  private async findUser(where: UserWhere): Promise<User | null> {
    const row = await kysely(this.orm.em.fork())
      .selectFrom('users')
      .select(['id', 'username', 'email', 'phone', 'password', 'role', 'created_at', 'updated_at'])
      .where(where)
      .executeTakeFirst();
    return row ? toUser({ ...row, createdAt: row.created_at, updatedAt: row.updated_at }) : null;
  }

  private async append(em: EntityManager, e: IdentityEvent): Promise<void> {
    await appendOutboxEvent(em, { topic: this.topic, type: e.type, key: e.key, payload: e.payload });
  }
}
