import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrm, type Orm } from '../../src/adapters/persistence/orm.ts';
import {
  AccountSchema,
  ApiAccessLogSchema,
  ApiKeySchema,
  AuthenticationSchema,
  ExternalServiceSchema,
  HistoricalTransactionSchema,
  OutboxEventSchema,
  UserSchema,
} from '../../src/adapters/persistence/schemas/index.ts';
import { Money } from '../../src/domain/shared/money.ts';
import { requireEnv, uniq } from '../support/services.ts';

let orm: Orm;
beforeAll(async () => {
  orm = await createOrm({ url: requireEnv('TEST_DATABASE_URL'), poolMax: 4 });
});
afterAll(() => orm.close(true));

async function newUser(em = orm.em.fork()) {
  const name = uniq('p');
  const user = em.create(UserSchema, {
    username: name,
    email: `${name}@example.com`,
    phone: `+62812${Math.floor(Math.random() * 1e8)
      .toString()
      .padStart(8, '0')}`,
    password: 'hash',
    role: 'USER',
  });
  await em.flush();
  return user;
}

describe('persistence mappings (real PostgreSQL)', () => {
  it('round-trips users, authentications and accounts with money precision', async () => {
    const em = orm.em.fork();
    const user = await newUser(em);
    expect(user.id).toBeGreaterThan(0);
    em.create(AuthenticationSchema, { token: uniq('tok'), userId: user.id });
    const account = em.create(AccountSchema, {
      id: randomUUID(),
      userId: user.id,
      balance: Money.parse('9999999999999.99'),
      currency: 'IDR',
      accountStatus: 'SUSPENDED',
    });
    await em.flush();
    const read = await orm.em.fork().findOneOrFail(AccountSchema, { id: account.id });
    expect(read.balance).toBeInstanceOf(Money);
    expect(read.balance.toString()).toBe('9999999999999.99');
    expect(read.accountStatus).toBe('SUSPENDED');
    const u = await orm.em.fork().findOneOrFail(UserSchema, { id: user.id });
    expect(u.role).toBe('USER');
    expect(await orm.em.fork().count(AuthenticationSchema, { userId: user.id })).toBe(1);
  });

  it('round-trips historical transactions with every enum', async () => {
    const em = orm.em.fork();
    const user = await newUser(em);
    const account = em.create(AccountSchema, { id: randomUUID(), userId: user.id, balance: Money.parse('100.10'), currency: 'IDR', accountStatus: 'ACTIVE' });
    await em.flush();
    const tx = em.create(HistoricalTransactionSchema, {
      id: randomUUID(),
      userId: user.id,
      accountId: account.id,
      transactionId: uniq('TRX-'),
      transactionType: 'TOPUP',
      transactionStatus: 'PENDING',
      amount: Money.parse('0.01'),
      balanceBefore: Money.parse('100.11'),
      balanceAfter: Money.parse('100.10'),
      currency: 'IDR',
      description: 'test',
      externalReference: null,
      paymentMethod: 'SHOPEE_PAY',
      metadata: JSON.stringify({ phone: '+62812****5678' }),
      isAccessibleExternal: true,
    });
    await em.flush();
    const read = await orm.em.fork().findOneOrFail(HistoricalTransactionSchema, { id: tx.id });
    expect(read.amount.minor).toBe(1n);
    expect(read.paymentMethod).toBe('SHOPEE_PAY');
    expect(read.transactionType).toBe('TOPUP');
    const [{ t }] = (await orm.em
      .getConnection()
      .execute(`select pg_typeof(transaction_status)::text as t from historical_transactions where id = ?`, [tx.id])) as [{ t: string }];
    expect(t).toBe('transaction_status');
  });

  it('round-trips external services, API keys and access logs', async () => {
    const em = orm.em.fork();
    const svc = em.create(ExternalServiceSchema, {
      id: randomUUID(),
      company: uniq('Regulator '),
      serviceType: 'HISTORICAL_TRANSACTION',
      contactEmail: 'ops@example.go.id',
      description: null,
      isActive: true,
    });
    await em.flush();
    const key = em.create(ApiKeySchema, {
      id: randomUUID(),
      externalServiceId: svc.id,
      keyName: 'primary',
      permissions: ['READ_TRANSACTIONS', 'READ_REPORTS'],
      rateLimitCount: 100,
      rateLimitUnit: 'minute',
      expiresAt: null,
      isActive: true,
    });
    await em.flush();
    em.create(ApiAccessLogSchema, {
      id: randomUUID(),
      externalServiceId: svc.id,
      apiKeyId: key.id,
      endpoint: '/api/transaction/histories',
      httpMethod: 'GET',
      ipAddress: '127.0.0.1',
      userAgent: 'vitest',
      responseStatus: 200,
      durationMs: 3,
    });
    await em.flush();
    const k = await orm.em.fork().findOneOrFail(ApiKeySchema, { id: key.id });
    expect(k.permissions).toEqual(['READ_TRANSACTIONS', 'READ_REPORTS']);
    expect(k.rateLimitUnit).toBe('minute');
    expect(await orm.em.fork().count(ApiAccessLogSchema, { apiKeyId: key.id })).toBe(1);
  });

  it('round-trips outbox events', async () => {
    const em = orm.em.fork();
    const e = em.create(OutboxEventSchema, {
      id: randomUUID(),
      topic: 'transaction-events',
      eventKey: 'acc',
      eventType: 'test.happened',
      payload: { amount: '1.00' },
      headers: { event_id: 'x' },
      publishedAt: null,
      attempts: 0,
    });
    await em.flush();
    const read = await orm.em.fork().findOneOrFail(OutboxEventSchema, { id: e.id });
    expect(read.payload).toEqual({ amount: '1.00' });
  });

  it('refuses a negative balance and unknown enum values in the database itself', async () => {
    const em = orm.em.fork();
    const user = await newUser(em);
    const conn = orm.em.getConnection();
    await expect(conn.execute(`insert into accounts (user_id, balance) values (?, -0.01)`, [user.id])).rejects.toThrow(/check/i);
    await expect(conn.execute(`insert into accounts (user_id, account_status) values (?, 'FROZEN')`, [user.id])).rejects.toThrow(/enum/i);
  });

  it('compares emails case-insensitively', async () => {
    const em = orm.em.fork();
    const user = await newUser(em);
    await expect(
      orm.em
        .getConnection()
        .execute(`insert into users (username, email, phone, password) values (?, ?, ?, 'h')`, [uniq('x'), user.email.toUpperCase(), uniq('+62')]),
    ).rejects.toThrow(/unique|duplicate/i);
  });
});
