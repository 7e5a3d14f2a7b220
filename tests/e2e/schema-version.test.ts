import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type RunningPlatform } from '../../src/entrypoints/shared/platform.ts';
import { authModule } from '../../src/entrypoints/auth/auth.module.ts';
import { paymentModule } from '../../src/entrypoints/payment/payment.module.ts';
import { transactionModule } from '../../src/entrypoints/transaction/transaction.module.ts';
import { allModules } from '../../src/entrypoints/all-in-one/modules.ts';
import type { ServiceModule } from '../../src/entrypoints/shared/service-module.ts';
import { migrationsList } from '../../src/adapters/persistence/migrations/index.ts';
import { createIsolatedDatabase } from '../support/isolated-database.ts';
import { realServicesConfig } from '../support/services.ts';

/*
 * A deployment never serves an unmigrated database (issue 11, item 5): against a fresh, empty
 * database every entrypoint starts, logs which migrations are pending and the command to run,
 * answers /readyz and every request 503 SCHEMA_NOT_MIGRATED (never a 500 "relation does not
 * exist"), and becomes ready by itself once `npm run migrate` ran with nothing but DATABASE_URL set.
 * A database with a migration the code does not know (a rollback) is refused the same way.
 */

const MIGRATE = new URL('../../src/entrypoints/migrate/main.ts', import.meta.url).pathname;
const names = migrationsList.map((m) => m.name);
const running: RunningPlatform[] = [];
let db: { url: string; drop(): Promise<void> };

function capturingLogger(service: string) {
  const lines: { level: number; msg: string; pending?: string[]; unknown?: string[] }[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  return { logger: pino({ name: service, level: 'info' }, stream), lines };
}

async function start(service: string, modules: ServiceModule[], url: string) {
  const { logger, lines } = capturingLogger(service);
  const p = await startPlatform({ service, modules, logger, config: realServicesConfig({ DATABASE_URL: url }) });
  running.push(p);
  return { p, lines };
}

async function tables(url: string): Promise<string[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const r = await c.query<{ t: string }>(`select tablename as t from pg_tables where schemaname = 'public' order by 1`);
  await c.end();
  return r.rows.map((x) => x.t);
}

const runMigrate = (env: Record<string, string>) => spawnSync(process.execPath, [MIGRATE], { env, encoding: 'utf8', timeout: 60_000 });

beforeAll(async () => {
  db = await createIsolatedDatabase('onegate_unmigrated', { migrated: false });
});
afterAll(async () => {
  for (const p of running) await p.stop();
  await db?.drop();
});

describe('every deployment against an empty database', () => {
  const deployments: [string, ServiceModule[], { method: string; path: string; body?: unknown }][] = [
    ['auth-service', [authModule], { method: 'POST', path: '/api/auth/login', body: { username: 'someone', password: 'secret-password' } }],
    ['payment-service', [paymentModule], { method: 'GET', path: '/api/payment/balance' }],
    ['transaction-service', [transactionModule], { method: 'GET', path: '/api/transaction/histories' }],
    [
      'all-in-one',
      allModules,
      {
        method: 'POST',
        path: '/api/auth/register',
        body: { username: 'newcomer', email: 'n@example.com', phone: '081200000099', password: 'secret-password' },
      },
    ],
  ];
  const started: { service: string; p: RunningPlatform; probe: (typeof deployments)[number][2] }[] = [];

  it.each(deployments)('%s starts, names the pending migrations and the command, and refuses with 503 SCHEMA_NOT_MIGRATED', async (service, modules, probe) => {
    const { p, lines } = await start(service, modules, db.url);
    started.push({ service, p, probe });

    const line = lines.find((l) => l.level === 50 && /pending migration/.test(l.msg));
    expect(line?.msg).toContain('npm run migrate');
    for (const n of names) expect(line?.msg).toContain(n);
    expect(line?.pending).toEqual(names);

    const ready = await fetch(`${p.url}/readyz`);
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { meta: { error: string }; data: { pending: string[]; unknown: string[] } };
    expect(body.meta.error).toBe('SCHEMA_NOT_MIGRATED');
    expect(body.data.pending).toEqual(names);
    expect(body.data.unknown).toEqual([]);

    const r = await fetch(`${p.url}${probe.path}`, {
      method: probe.method,
      headers: probe.body ? { 'content-type': 'application/json' } : {},
      body: probe.body ? JSON.stringify(probe.body) : undefined,
    });
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBe('5');
    expect(((await r.json()) as { meta: { error: string } }).meta.error).toBe('SCHEMA_NOT_MIGRATED');
    // Even the docs and unknown routes: nothing is served but liveness, readiness and metrics.
    expect((await fetch(`${p.url}/openapi.json`)).status).toBe(503);
    expect((await fetch(`${p.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${p.url}/metrics`)).status).toBe(200);
  });

  it('changed nothing in the database (the check only reads)', async () => {
    expect(await tables(db.url)).toEqual([]);
  });

  it('`npm run migrate` with nothing but DATABASE_URL set migrates it, and every deployment becomes ready by itself', async () => {
    const r = runMigrate({ DATABASE_URL: db.url });
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain(`applied ${names.length} migration(s)`);

    for (const { service, p, probe } of started) {
      let status = 0;
      for (let i = 0; i < 100 && status !== 200; i++) {
        status = (await fetch(`${p.url}/readyz`)).status;
        if (status !== 200) await new Promise((res) => setTimeout(res, 200));
      }
      expect(status, service).toBe(200);
      const res = await fetch(`${p.url}${probe.path}`, {
        method: probe.method,
        headers: probe.body ? { 'content-type': 'application/json' } : {},
        body: probe.body ? JSON.stringify(probe.body) : undefined,
      });
      // Answered by the route now: unauthenticated, wrong credentials, no API key, or created.
      expect([201, 401], `${service} ${probe.path}`).toContain(res.status);
    }
    // A process spawn and four re-checks: generous on a busy machine (the re-check itself is every 2 s).
  }, 90_000);
});

describe('a database newer than the code (a rollback)', () => {
  it('is refused the same way, naming the migration the code does not know', async () => {
    const future = '20991231000000-from-a-newer-release';
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    await c.query(`insert into mikro_orm_migrations (name) values ($1)`, [future]);
    await c.end();
    try {
      const { p, lines } = await start('payment-service', [paymentModule], db.url);
      const line = lines.find((l) => l.level === 50 && /does not know/.test(l.msg));
      expect(line?.msg).toContain(future);
      expect(line?.unknown).toEqual([future]);
      const ready = await fetch(`${p.url}/readyz`);
      expect(ready.status).toBe(503);
      const body = (await ready.json()) as { meta: { error: string }; data: { pending: string[]; unknown: string[] } };
      expect(body.meta.error).toBe('SCHEMA_NOT_MIGRATED');
      expect(body.data).toMatchObject({ pending: [], unknown: [future] });
      expect((await fetch(`${p.url}/api/payment/balance`)).status).toBe(503);
    } finally {
      const d = new pg.Client({ connectionString: db.url });
      await d.connect();
      await d.query(`delete from mikro_orm_migrations where name = $1`, [future]);
      await d.end();
    }
  });
});

describe('the migrate job without DATABASE_URL', () => {
  it('stops with one line that names the variable', () => {
    const r = runMigrate({ LOG_LEVEL: 'info' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/DATABASE_URL: required by the migration job/);
  });
});
