import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrm, type Orm } from '../../src/adapters/persistence/orm.ts';
import { PostgresAuditLog } from '../../src/adapters/persistence/audit/postgres-audit-log.ts';
import { requireEnv } from '../support/services.ts';
import { createTxUser, issueTestKey } from '../support/transaction-fixtures.ts';

/*
 * Operators' commands leave an audit event each: the operator, the action, the object, before and
 * after, one request id per run. (The tamper test and `audit verify` are in
 * tests/integration/audit-trail.test.ts, on a database of their own.)
 */
const run = promisify(execFile);
let orm: Orm;
beforeAll(async () => {
  orm = await createOrm({ url: requireEnv('TEST_DATABASE_URL'), poolMax: 2 });
});
afterAll(async () => {
  await orm?.close(true);
});

async function admin(...args: string[]): Promise<unknown> {
  const env = {
    PATH: process.env.PATH,
    NODE_ENV: 'test',
    DATABASE_URL: requireEnv('TEST_DATABASE_URL'),
    REDIS_URL: requireEnv('TEST_REDIS_URL'),
    KAFKA_BROKERS: requireEnv('TEST_KAFKA_BROKERS'),
    LOG_LEVEL: 'silent',
  };
  const { stdout } = await run(process.execPath, ['src/entrypoints/admin/main.ts', ...args, '--json'], { env, timeout: 60_000 });
  return JSON.parse(stdout);
}

describe('operator commands in the audit trail', { timeout: 180_000 }, () => {
  it('records an account suspension with its before and after, as the named operator', async () => {
    const user = await createTxUser(orm);
    await admin('accounts', 'suspend', '--account', user.accountId, '--operator', 'ops-budi');
    const [e] = await new PostgresAuditLog(orm).query({ action: 'accounts.suspend', objectId: user.accountId, limit: 5 });
    expect(e).toMatchObject({
      category: 'OPERATOR',
      actor: { type: 'operator', id: 'ops-budi' },
      object: { type: 'account', id: user.accountId },
      before: { status: 'ACTIVE' },
      after: { status: 'SUSPENDED' },
    });
    expect(e!.requestId).toMatch(/^cli-/);
  });

  it('records a key revocation, and `audit query` finds it with filters', async () => {
    const { apiKey } = await issueTestKey(orm, { permissions: ['READ_AUDIT'] });
    await admin('keys', 'revoke', '--id', apiKey.id, '--operator', 'ops-sari');
    const rows = (await admin('audit', 'query', '--action', 'keys.', '--object-id', apiKey.id)) as {
      action: string;
      actor: { id: string };
      after: { prefix: string };
    }[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: 'keys.revoke', actor: { id: 'ops-sari' }, after: { prefix: apiKey.prefix } });
  });
});
