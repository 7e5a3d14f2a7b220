import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type RunningPlatform } from '../../src/entrypoints/shared/platform.ts';
import { transactionModule } from '../../src/entrypoints/transaction/transaction.module.ts';
import { realServicesConfig, requireEnv, uniq } from '../support/services.ts';
import { eventually } from '../support/transaction-fixtures.ts';

const run = promisify(execFile);
let p: RunningPlatform;

beforeAll(async () => {
  p = await startPlatform({
    service: 'transaction-service',
    modules: [transactionModule],
    config: realServicesConfig({ KAFKA_TOPIC_TRANSACTIONS: uniq('tx-events-cli-'), KAFKA_CONSUMER_GROUP: uniq('grp-') }),
  });
});
afterAll(async () => {
  await p?.stop();
});

/** `npm run admin -- …` as an operator runs it, against the test database. */
async function admin(...args: string[]): Promise<{ code: number; out: unknown; stdout: string; stderr: string }> {
  const env = {
    PATH: process.env.PATH,
    NODE_ENV: 'test',
    DATABASE_URL: requireEnv('TEST_DATABASE_URL'),
    REDIS_URL: requireEnv('TEST_REDIS_URL'),
    KAFKA_BROKERS: requireEnv('TEST_KAFKA_BROKERS'),
    LOG_LEVEL: 'silent',
  };
  try {
    const { stdout, stderr } = await run(process.execPath, ['src/entrypoints/admin/main.ts', ...args, '--json'], { env });
    return { code: 0, out: JSON.parse(stdout), stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: null, stdout: e.stdout, stderr: e.stderr };
  }
}
const call = (key: string) => fetch(`${p.url}/api/transaction/histories?size=1`, { headers: { 'X-API-Key': key } }).then((r) => r.status);

// Spawns the CLI many times: a generous timeout, since a busy machine slows process start, not the CLI.
describe('admin CLI for regulators', { timeout: 120_000 }, () => {
  it('creates a service, issues a key that works end to end, lists, rotates and revokes it, and reads the access logs', async () => {
    const company = uniq('Regulator CLI ');
    const created = await admin(
      'services',
      'create',
      '--company',
      company,
      '--email',
      'ops@regulator.example',
      '--permissions',
      'READ_TRANSACTIONS',
      '--limit-minute',
      '50',
    );
    expect(created.code).toBe(0);
    expect(created.out).toMatchObject({ company, is_active: true, default_permissions: ['READ_TRANSACTIONS'], default_rate_limits: { minute: 50 } });
    expect((await admin('services', 'create', '--company', company, '--email', 'ops@regulator.example')).code).toBe(2);

    const issued = (await admin('keys', 'issue', '--service', company, '--name', 'primary')).out as {
      api_key: string;
      key: { id: string; prefix: string; rate_limits: unknown };
    };
    expect(issued.api_key).toMatch(/^ogp_[a-z0-9]{12}_/);
    expect(issued.key.rate_limits).toEqual({ minute: 50 });
    expect(await call(issued.api_key)).toBe(200);

    const listed = await eventually(async () => {
      const r = await admin('keys', 'list', '--service', company);
      expect(r.out).toEqual([
        expect.objectContaining({
          id: issued.key.id,
          prefix: issued.key.prefix,
          state: 'active',
          permissions: ['READ_TRANSACTIONS'],
          last_used_at: expect.any(String),
        }),
      ]);
      return r;
    });
    expect(listed.stdout).not.toContain(issued.api_key);
    expect(listed.stdout).not.toMatch(/[0-9a-f]{64}/);

    const rotated = (await admin('keys', 'rotate', '--id', issued.key.id, '--overlap-seconds', '0')).out as { api_key: string; key: { id: string } };
    expect(await call(rotated.api_key)).toBe(200);
    expect(await call(issued.api_key)).toBe(401);

    expect((await admin('keys', 'revoke', '--id', rotated.key.id)).code).toBe(0);
    expect(await call(rotated.api_key)).toBe(401);
    expect((await admin('keys', 'revoke', '--id', rotated.key.id)).code).toBe(2);

    const logs = await eventually(async () => {
      const r = await admin('access-logs', 'query', '--service', company, '--status', '401');
      expect(r.out).toHaveLength(2);
      return r.out as Record<string, unknown>[];
    });
    expect(logs[0]).toMatchObject({ service: company, status: 401, method: 'GET', endpoint: '/api/transaction/histories', error: 'API_KEY_REVOKED' });
    const all = (await admin('access-logs', 'query', '--service', company, '--from', new Date(Date.now() - 3600_000).toISOString())).out as unknown[];
    expect(all).toHaveLength(4);

    const another = (
      await admin(
        'keys',
        'issue',
        '--service',
        company,
        '--name',
        'second',
        '--permissions',
        'READ_TRANSACTIONS,READ_REPORTS',
        '--limit-second',
        '5',
        '--expires',
        new Date(Date.now() + 86400_000).toISOString(),
      )
    ).out as { api_key: string };
    expect(await call(another.api_key)).toBe(200);
    expect((await admin('services', 'deactivate', '--service', company)).code).toBe(0);
    expect(await call(another.api_key)).toBe(401);
  }, 60_000);

  it('refuses bad input with exit code 2 and a clear message', async () => {
    const missing = await admin('keys', 'issue', '--name', 'x');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--service is required');
    const cases = [
      ['keys', 'issue', '--service', 'OJK', '--name', 'x', '--permissions', 'WRITE_EVERYTHING'],
      ['keys', 'issue', '--service', 'OJK', '--name', 'x', '--limit-minute', 'lots'],
      ['keys', 'issue', '--service', 'OJK', '--name', 'x', '--expires', '2001-01-01T00:00:00Z'],
      ['keys', 'issue', '--service', 'OJK', '--name', 'x', '--allow-ips', 'not-an-ip'],
      ['keys', 'issue', '--service', 'Nobody', '--name', 'x'],
      ['keys', 'rotate', '--id', 'nope'],
      ['services', 'create', '--company', 'X', '--email', 'not-an-email'],
      ['access-logs', 'query', '--status', '42'],
    ];
    for (const c of cases) expect((await admin(...c)).code, c.join(' ')).toBe(2);
  }, 60_000);

  it('lists the seeded regulators, Bank Indonesia and OJK, with their default permissions and limits', async () => {
    const services = (await admin('services', 'list')).out as { company: string; default_permissions: string[]; default_rate_limits: unknown }[];
    expect(services.find((s) => s.company === 'Bank Indonesia')).toMatchObject({
      default_permissions: ['READ_TRANSACTIONS'],
      default_rate_limits: { minute: 100, hour: 1000, day: 10000 },
    });
    expect(services.find((s) => s.company === 'OJK')).toMatchObject({
      default_permissions: ['READ_TRANSACTIONS', 'READ_REPORTS'],
      default_rate_limits: { minute: 200, hour: 2000, day: 20000 },
    });
  });
});
