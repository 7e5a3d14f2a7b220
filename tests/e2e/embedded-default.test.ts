import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// The README's first command, as a process: the all-in-one entrypoint with no services configured.
const dir = await mkdtemp(join(tmpdir(), 'ogp-embedded-'));
await chmod(dir, 0o755);
const port = 20000 + Math.floor(Math.random() * 20000);
const pgPort = port + 1;
const gopayPort = port + 2;
const shopeepayPort = port + 3;
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

function start(): Promise<{ child: ChildProcess; output: () => string }> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/root',
    PORT: String(port),
    HOST: '127.0.0.1',
    EMBEDDED_DATA_DIR: join(dir, 'data'),
    EMBEDDED_PG_PORT: String(pgPort),
    SANDBOX_GOPAY_PORT: String(gopayPort),
    SANDBOX_SHOPEEPAY_PORT: String(shopeepayPort),
    LOG_LEVEL: 'info',
  };
  const child = spawn(process.execPath, ['src/entrypoints/all-in-one/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`did not start in time:\n${out}`)), 90_000);
    const check = () => {
      if (out.includes('is running on')) {
        clearTimeout(t);
        resolve({ child, output: () => out });
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => reject(new Error(`exited with ${code}:\n${out}`)));
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

describe('embedded default (npm start with no services configured)', () => {
  it('starts from an empty data directory, serves /healthz /readyz /docs, and keeps its data across a restart', { timeout: 240_000 }, async () => {
    const first = await start();
    expect(first.output()).toContain(`http://127.0.0.1:${port}`);
    expect(first.output()).toContain('demo merchants  TOKO-DEMO (REGULAR), WARUNG-DEMO (MICRO)');
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { data: { checks: { name: string }[] } }).data.checks.map((c) => c.name)).toEqual([
      'postgres',
      'kv (in-memory)',
      'events (in-process)',
    ]);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/docs`)).status).toBe(200);

    // The e-wallet sandboxes on their configured ports, printed with their control endpoints; any
    // mobile number has a wallet (balance 0.00), the reserved +628999… range has none.
    expect(first.output()).toContain(`GoPay      http://127.0.0.1:${gopayPort}`);
    expect(first.output()).toContain(`ShopeePay  http://127.0.0.1:${shopeepayPort}`);
    expect(first.output()).toContain(`http://127.0.0.1:${gopayPort}/sandbox/wallets/{phone}`);
    for (const sbPort of [gopayPort, shopeepayPort]) {
      const w = await fetch(`http://127.0.0.1:${sbPort}/sandbox/wallets/${encodeURIComponent('+6281377788899')}`);
      expect([w.status, ((await w.json()) as { balance: string }).balance]).toEqual([200, '0.00']);
      expect((await fetch(`http://127.0.0.1:${sbPort}/sandbox/wallets/${encodeURIComponent('+628999123456')}`)).status).toBe(404);
    }
    const funded = await fetch(`http://127.0.0.1:${gopayPort}/sandbox/wallets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ phone: '+6281377700001', balance: '4321.00' }),
    });
    expect(funded.status).toBe(201);

    // Leave a mark in the embedded database, stop gracefully, start again, and find it.
    const pg = await import('pg');
    const url = `postgresql://postgres:embedded@127.0.0.1:${pgPort}/onegate`;
    const c1 = new pg.default.Client({ connectionString: url });
    await c1.connect();
    await c1.query(`insert into external_services (company, contact_email) values ('Persistence Check', 'x@example.com')`);
    await c1.end();
    expect(await stop(first.child)).toBe(0);

    const second = await start();
    expect(second.output()).not.toContain('initialising embedded PostgreSQL');
    const c2 = new pg.default.Client({ connectionString: url });
    await c2.connect();
    const r = await c2.query(`select count(*)::int as n from external_services where company = 'Persistence Check'`);
    await c2.end();
    expect(r.rows[0].n).toBe(1);
    // The sandboxes' wallets were kept too (beside the embedded database).
    const kept = await fetch(`http://127.0.0.1:${gopayPort}/sandbox/wallets/${encodeURIComponent('+6281377700001')}`);
    expect(((await kept.json()) as { balance: string }).balance).toBe('4321.00');
    expect(await stop(second.child)).toBe(0);
  });
});
