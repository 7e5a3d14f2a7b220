import type { Orm } from '../../src/adapters/persistence/orm.ts';
import type { IssueKeyInput } from '../../src/application/regulator/regulator-admin.ts';
import { REGULATOR, regulatorBindings } from '../../src/entrypoints/regulator/regulator.module.ts';
import { fixtureContainer } from './fixture-container.ts';
import type { RateLimits } from '../../src/domain/regulator/rate-limits.ts';
import { newTransactionId } from '../../src/domain/shared/ids.ts';
import { uniq } from './services.ts';

/** Rows written straight with SQL, as the payment service would, for the transaction service's suites. */
export interface TxUser {
  userId: number;
  username: string;
  email: string;
  phone: string;
  accountId: string;
}

export async function createTxUser(orm: Orm): Promise<TxUser> {
  const username = uniq('tx_');
  const email = `${username}@mail.example`;
  const phone = `+62812${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
  const conn = orm.em.getConnection();
  const [u] = (await conn.execute(`insert into users (username, email, phone, password) values (?, ?, ?, 'x') returning id`, [username, email, phone])) as [
    { id: number },
  ];
  const [a] = (await conn.execute(`insert into accounts (user_id, balance) values (?, 0) returning id`, [u.id])) as [{ id: string }];
  return { userId: u.id, username, email, phone, accountId: a.id };
}

export interface TxInput {
  type?: 'TOPUP' | 'PAYMENT' | 'REFUND' | 'TRANSFER';
  status?: 'PENDING' | 'SUCCESS' | 'FAILED' | 'CANCELLED';
  amount?: string;
  before?: string;
  after?: string;
  method?: 'GOPAY' | 'SHOPEE_PAY' | null;
  accessible?: boolean;
  createdAt?: Date | string;
  description?: string;
}

export interface InsertedTx {
  id: string;
  transactionId: string;
}

export async function insertTx(orm: Orm, user: TxUser, t: TxInput = {}): Promise<InsertedTx> {
  const transactionId = newTransactionId('TST');
  const [row] = (await orm.em.getConnection().execute(
    `insert into historical_transactions (user_id, account_id, transaction_id, transaction_type, transaction_status, amount, balance_before, balance_after,
       payment_method, is_accessible_external, description, created_at, updated_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::timestamptz, ?::timestamptz) returning id`,
    [
      user.userId,
      user.accountId,
      transactionId,
      t.type ?? 'PAYMENT',
      t.status ?? 'SUCCESS',
      t.amount ?? '10000.00',
      t.before ?? '0.00',
      t.after ?? '0.00',
      t.method === undefined ? 'GOPAY' : t.method,
      t.accessible ?? true,
      t.description ?? null,
      new Date(t.createdAt ?? new Date()),
      new Date(t.createdAt ?? new Date()),
    ],
  )) as [{ id: string }];
  return { id: row.id, transactionId };
}

/** A fresh external service (so suites never share rate-limit buckets) and a key for it. */
export async function issueTestKey(orm: Orm, opts: { permissions?: string[]; rateLimits?: RateLimits } & Partial<IssueKeyInput> = {}) {
  const admin = fixtureContainer(orm, [regulatorBindings]).get(REGULATOR.Admin);
  const service = await admin.createService.execute({
    company: uniq('Regulator '),
    serviceType: 'REGULATOR',
    contactEmail: 'api@regulator.example',
    description: null,
    defaultPermissions: ['READ_TRANSACTIONS', 'READ_REPORTS'],
    defaultRateLimits: {},
  });
  const issued = await admin.issueKey.execute({ name: 'test', ...opts, service: service.id, rateLimits: opts.rateLimits ?? { minute: 1000 } });
  return { admin, service, key: issued.key, apiKey: issued.apiKey };
}

/** Polls until `check` passes (for work done in the background: access logs, the consumer). */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
