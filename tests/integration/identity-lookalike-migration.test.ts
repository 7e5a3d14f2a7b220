import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrm, type Orm } from '../../src/adapters/persistence/orm.ts';
import { PostgresUserRepository } from '../../src/adapters/persistence/identity/postgres-user.repository.ts';
import { PostgresAccountRepository } from '../../src/adapters/persistence/payment/postgres-account.repository.ts';
import { parseLoginIdentifier } from '../../src/domain/identity/credentials.ts';
import { requireEnv, uniq } from '../support/services.ts';

// The migration that renames usernames registered before the look-alike rule, run on a database
// of its own stopped just before it, with such users already in it.
const BEFORE = '20261125040100-report-read-model-backfill';
const MIGRATION = '20261201191608-identity-lookalike-usernames';

let orm: Orm;
let dbName: string;
const adminUrl = () => requireEnv('TEST_POSTGRES_ADMIN_URL');

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: adminUrl() });
  await c.connect();
  await c.query(sql);
  await c.end();
}

const rows = <T>(sql: string, params: unknown[] = []) => orm.em.fork().execute(sql, params) as Promise<T[]>;

async function insertUser(username: string, phone: string): Promise<{ id: number; accountId: string }> {
  const [u] = await rows<{ id: number }>(`insert into users (username, email, phone, password) values (?, ?, ?, 'h') returning id`, [
    username,
    `${uniq('m')}@example.com`,
    phone,
  ]);
  const [a] = await rows<{ id: string }>(`insert into accounts (user_id, balance) values (?, 1234.50) returning id`, [u!.id]);
  return { id: u!.id, accountId: a!.id };
}

beforeAll(async () => {
  dbName = uniq('onegate_mig_').toLowerCase();
  await admin(`create database ${dbName}`);
  const url = new URL(adminUrl());
  url.pathname = `/${dbName}`;
  orm = await createOrm({ url: url.toString(), poolMax: 2 });
  await orm.migrator.up({ to: BEFORE });
});
afterAll(async () => {
  await orm?.close(true);
  if (dbName) await admin(`drop database if exists ${dbName} with (force)`);
});

describe(`${MIGRATION} (real PostgreSQL)`, () => {
  it('renames every username the rule refuses, keeps everything else, and records the old names', async () => {
    const phoneLike = await insertUser('081222419751', '+6281299990001');
    const nsnLike = await insertUser('81222419751', '+6281299990002');
    const dotted = await insertUser('0812.2241.9751', '+6281299990003');
    const digits = await insertUser('12345', '+6281299990004');
    const email = await insertUser('someone@example.com', '+6281299990005');
    const kept = await insertUser('budi_santoso', '+6281299990006');
    const keptDigits = await insertUser('agent007', '+6281299990007');
    // The name the first would get is taken: it gets a suffix.
    await insertUser(`Renamed_${phoneLike.id}`, '+6281299990008');

    await orm.migrator.up();
    const names = new Map((await rows<{ id: number; username: string }>(`select id, username from users`)).map((r) => [r.id, r.username]));
    expect(names.get(phoneLike.id)).toBe(`renamed_${phoneLike.id}_2`);
    expect(names.get(nsnLike.id)).toBe(`renamed_${nsnLike.id}`);
    expect(names.get(dotted.id)).toBe(`renamed_${dotted.id}`);
    expect(names.get(digits.id)).toBe(`renamed_${digits.id}`);
    expect(names.get(email.id)).toBe(`renamed_${email.id}`);
    expect(names.get(kept.id)).toBe('budi_santoso');
    expect(names.get(keptDigits.id)).toBe('agent007');

    const renames = await rows<{ user_id: number; old_username: string; new_username: string; reason: string }>(
      `select user_id, old_username, new_username, reason from username_renames order by user_id`,
    );
    expect(renames.map((r) => [r.user_id, r.old_username])).toEqual([
      [phoneLike.id, '081222419751'],
      [nsnLike.id, '81222419751'],
      [dotted.id, '0812.2241.9751'],
      [digits.id, '12345'],
      [email.id, 'someone@example.com'],
    ]);
    expect(renames[0]!.reason).toContain('phone number');

    // Nobody lost their account: same balance, and they log in with their phone (or the new name).
    const users = new PostgresUserRepository(orm, { topic: 'test' });
    const accounts = new PostgresAccountRepository(orm);
    for (const [u, phone] of [
      [phoneLike, '081299990001'],
      [email, '+62 812 9999 0005'],
    ] as const) {
      expect((await users.findByLogin(parseLoginIdentifier(phone)))?.id).toBe(u.id);
      expect((await accounts.findByUserId(u.id))?.balance.toString()).toBe('1234.50');
    }
    expect((await users.findByLogin(parseLoginIdentifier(`renamed_${digits.id}`)))?.id).toBe(digits.id);
    // The old names name nobody now; a phone-like one is looked up as a phone only.
    expect(await users.findByLogin(parseLoginIdentifier('12345'))).toBeNull();
    expect(await accounts.findRecipient('081222419751')).toBeNull();
  });
});
