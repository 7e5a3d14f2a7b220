import { randomUUID } from 'node:crypto';
// Where a payment's time goes: the platform runs under --cpu-prof while autocannon drives payments,
// then the profile's self time is summed per function. Also counts the SQL statements of one payment.
//   node bench/profile.ts            (needs the database that bench/run.ts seeded: run it first)
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { loadJwtKeys } from '../src/adapters/security/jwt-keys.ts';
import { JwtAccessTokenService } from '../src/adapters/security/jwt-access-token.service.ts';
import { InMemoryKeyValueStore } from '../src/adapters/memory/in-memory-key-value-store.ts';
import { loadConfig } from '../src/entrypoints/shared/config.ts';
import { startChildPlatform } from './lib/child-platform.ts';
import { load } from './lib/load.ts';
import { startPlatform } from '../src/entrypoints/shared/platform.ts';
import { paymentModule } from '../src/entrypoints/payment/payment.module.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? '10');
const DB_URL = `postgresql://postgres@127.0.0.1:5432/${process.env.BENCH_DB ?? 'onegate_bench'}`;
const dir = resolve('bench/results/prof');
rmSync(dir, { recursive: true, force: true });

const db = new pg.Client({ connectionString: DB_URL });
await db.connect();
const users = (await db.query(`select id, username from users where username like 'bench%' order by id limit 500`)).rows as { id: number; username: string }[];
if (!users.length) throw new Error('no bench users: run `node bench/run.ts` first');
const tokens = new JwtAccessTokenService(
  loadJwtKeys(loadConfig({})),
  { issuer: 'one-gate-payment', audience: 'one-gate-payment-api', ttlSeconds: 3600 },
  new InMemoryKeyValueStore(),
);
const bearer = users.map((u) => `Bearer ${tokens.issue({ userId: u.id, username: u.username, role: 'USER', sessionId: randomUUID() }).token}`);
const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)]!;
const env = {
  NODE_ENV: 'development',
  DATABASE_URL: DB_URL,
  REDIS_URL: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/8',
  KAFKA_BROKERS: '127.0.0.1:9092',
  KAFKA_TOPIC_TRANSACTIONS: 'bench-transaction-events',
  LOG_LEVEL: 'warn',
  ...(process.env.LEDGER_BATCH_MAX ? { LEDGER_BATCH_MAX: process.env.LEDGER_BATCH_MAX } : {}),
};

// Statements per payment: counted in-process on the connection every query goes through.
{
  // The payment deployment alone: the transaction service's consumer would interleave its own statements.
  const inproc = await startPlatform({ service: 'payment-service', modules: [paymentModule], config: loadConfig({ ...env, PORT: '0', HOST: '127.0.0.1' }) });
  const connection = inproc.infra.orm.em.getConnection() as unknown as { execute: (...a: unknown[]) => Promise<unknown> };
  const proto = Object.getPrototypeOf(connection) as { execute: (...a: unknown[]) => Promise<unknown> };
  const original = proto.execute;
  const seen: string[] = [];
  let counting = false;
  proto.execute = function (this: unknown, ...a: unknown[]) {
    if (counting) seen.push(String(a[0]).replace(/\s+/g, ' ').slice(0, 90));
    return original.apply(this, a);
  };
  await inproc.outboxRelay.stop(); // its polling is not the payment's work
  const once = () =>
    fetch(`${inproc.url}/api/payment/payments`, {
      method: 'POST',
      headers: { authorization: bearer[0]!, 'content-type': 'application/json' },
      body: JSON.stringify({ amount: '100.00', merchant_id: 'M-1' }),
    });
  await once();
  counting = true;
  const res = await once();
  counting = false;
  proto.execute = original;
  console.log(`one payment (${res.status}): ${seen.length} statements + BEGIN/COMMIT\n  ${seen.join('\n  ')}`);
  // A burst of concurrent payments from different payers: what group commit shares among them.
  const BURST = 32;
  seen.length = 0;
  proto.execute = function (this: unknown, ...a: unknown[]) {
    seen.push(String(a[0]).replace(/\s+/g, ' ').slice(0, 90));
    return original.apply(this, a);
  };
  const burst = await Promise.all(
    bearer.slice(1, 1 + BURST).map((b) =>
      fetch(`${inproc.url}/api/payment/payments`, {
        method: 'POST',
        headers: { authorization: b, 'content-type': 'application/json' },
        body: JSON.stringify({ amount: '100.00', merchant_id: 'M-1' }),
      }),
    ),
  );
  proto.execute = original;
  const byKind = new Map<string, number>();
  for (const q of seen) byKind.set(q.slice(0, 40), (byKind.get(q.slice(0, 40)) ?? 0) + 1);
  console.log(
    `${BURST} concurrent payments (${burst.filter((b) => b.status === 201).length} × 201): ${seen.length} statements, ${(seen.length / BURST).toFixed(2)} per payment (BEGIN/COMMIT once per batch)\n  ${[...byKind].map(([k, n]) => `${n} × ${k}`).join('\n  ')}`,
  );
  await inproc.stop();
}

// BENCH_ENTRY: the all-in-one (default) or the payment deployment alone (its consumer-free CPU).
const p = await startChildPlatform(process.env.BENCH_ENTRY ?? 'src/entrypoints/all-in-one/main.ts', env, 18090, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
const r = await load({
  scenario: 'payments (profiled)',
  url: p.url,
  connections: 16,
  durationSeconds: SECONDS,
  request: () => ({
    method: 'POST',
    path: '/api/payment/payments',
    headers: { authorization: pick(bearer) },
    body: JSON.stringify({ amount: '100.00', merchant_id: 'M-1' }),
  }),
});
console.log(`payments under profile: ${r.achieved_rps} req/s, p50 ${r.p50_ms} ms, p99 ${r.p99_ms} ms`);
await p.stop('SIGINT');
await db.end();

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
if (!file) throw new Error('no profile written');
const prof = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
const self = new Map<number, number>();
prof.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0)));
const byFn = new Map<string, number>();
const byArea = new Map<string, number>();
let total = 0;
for (const n of prof.nodes) {
  const t = self.get(n.id) ?? 0;
  total += t;
  const url = n.callFrame.url.replace(/^file:\/\//, '').replace(resolve('.') + '/', '');
  const area =
    n.callFrame.url === ''
      ? `(${n.callFrame.functionName || 'native'})`
      : url.startsWith('node_modules/')
        ? url
            .split('/')
            .slice(0, url.startsWith('node_modules/@') ? 3 : 2)
            .join('/')
        : url.startsWith('node:')
          ? 'node internals'
          : url.startsWith('src/')
            ? 'src (ours)'
            : url;
  byArea.set(area, (byArea.get(area) ?? 0) + t);
  const key = `${n.callFrame.functionName || '(anonymous)'}  ${url}:${n.callFrame.lineNumber + 1}`;
  byFn.set(key, (byFn.get(key) ?? 0) + t);
}
const top = (m: Map<string, number>, k: number) =>
  [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, k)
    .map(([name, t]) => `${((100 * t) / total).toFixed(1).padStart(5)}%  ${name}`);
console.log('\nself time by area:\n' + top(byArea, 15).join('\n'));
console.log('\nself time by function:\n' + top(byFn, 25).join('\n'));
