import { randomUUID } from 'node:crypto';
// The platform under load, against the real PostgreSQL, Redis and Kafka, with PostgreSQL's own
// limit beside it. Writes a Markdown table to stdout and JSON to bench/results/latest.json.
//   node bench/run.ts                      (BENCH_SECONDS=10, BENCH_USERS=2000, BENCH_EXPORT_ROWS=1000000)
// Needs: PostgreSQL (BENCH_POSTGRES_ADMIN_URL, default postgresql://postgres@127.0.0.1:5432/postgres),
// Redis (db 8), Kafka on 127.0.0.1:9092 (npm run kafka -- start), pgbench on PATH.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import pg from 'pg';
import { createOrm, migrate } from '../src/adapters/persistence/orm.ts';
import { loadJwtKeys } from '../src/adapters/security/jwt-keys.ts';
import { JwtAccessTokenService } from '../src/adapters/security/jwt-access-token.service.ts';
import { InMemoryKeyValueStore } from '../src/adapters/memory/in-memory-key-value-store.ts';
import { loadConfig } from '../src/entrypoints/shared/config.ts';
import { startChildPlatform, type ChildPlatform } from './lib/child-platform.ts';
import { load, type LoadResult } from './lib/load.ts';
import { openLoad, type OpenLoadResult } from './lib/open-load.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? '10');
// BENCH_ONLY=regex runs only the matching parts (scenario names, 'login', 'export', 'pgbench').
const ONLY = new RegExp(process.env.BENCH_ONLY ?? '.', 'i');
const USERS = Number(process.env.BENCH_USERS ?? '2000');
const EXPORT_ROWS = Number(process.env.BENCH_EXPORT_ROWS ?? '1000000');
const ADMIN_URL = process.env.BENCH_POSTGRES_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const DB = process.env.BENCH_DB ?? 'onegate_bench';
const PORT = Number(process.env.BENCH_PORT ?? '18080');
// BENCH_MERCHANTS: how many merchants "random merchants" spreads payments over (M-1 is also the hot one).
const MERCHANTS = Number(process.env.BENCH_MERCHANTS ?? '1000');
// BENCH_ENTRY: the all-in-one (default) or the payment deployment alone (src/entrypoints/payment/main.ts).
const ENTRY = process.env.BENCH_ENTRY ?? 'src/entrypoints/all-in-one/main.ts';
const HOT_CONNECTIONS = (process.env.BENCH_HOT_CONNECTIONS ?? '1,4,16,64').split(',').map(Number);
const dbUrl = new URL(ADMIN_URL);
dbUrl.pathname = `/${DB}`;
const env = {
  NODE_ENV: 'development',
  DATABASE_URL: dbUrl.toString(),
  REDIS_URL: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/8',
  KAFKA_BROKERS: process.env.BENCH_KAFKA_BROKERS ?? '127.0.0.1:9092',
  KAFKA_TOPIC_TRANSACTIONS: 'bench-transaction-events',
  LOG_LEVEL: 'warn',
  DATABASE_POOL_MAX: process.env.BENCH_POOL_MAX ?? '20',
  REGISTRATIONS_PER_IP_PER_HOUR: '1000',
  // The ledger's group commit (issue 14), passed through when set.
  ...(process.env.LEDGER_BATCH_MAX ? { LEDGER_BATCH_MAX: process.env.LEDGER_BATCH_MAX } : {}),
  ...(process.env.LEDGER_BATCH_WINDOW_MS ? { LEDGER_BATCH_WINDOW_MS: process.env.LEDGER_BATCH_WINDOW_MS } : {}),
};
const results: (LoadResult & { load_average: number[] })[] = [];
const openResults: (OpenLoadResult & { load_average: number[] })[] = [];
const notes: Record<string, unknown> = {};
const log = (s: string) => console.error(`bench: ${s}`);

// ---- database: fresh, migrated, seeded with USERS funded accounts (funded from FUNDING, so the total stays constant)
const admin = new pg.Client({ connectionString: ADMIN_URL });
await admin.connect();
await admin.query(`drop database if exists ${DB} with (force)`);
await admin.query(`create database ${DB}`);
await admin.end();
const orm = await createOrm({ url: dbUrl.toString(), poolMax: 4 });
await migrate(orm);
const conn = orm.em.getConnection();
await conn.execute(
  `insert into users (username, email, phone, password)
  select 'bench' || g, 'bench' || g || '@example.com', '+62813' || lpad(g::text, 8, '0'), 'x' from generate_series(1, ?) g`,
  [USERS],
);
await conn.execute(`insert into accounts (user_id, balance) select id, 100000000.00 from users where username like 'bench%'`);
await conn.execute(`update accounts set balance = balance - ? * 100000000.00 where system_code = 'FUNDING'`, [USERS]);
// M-1: the hot merchant account every "one hot merchant" payment pays (REGULAR: 0.7% MDR, three legs);
// M-1…M-MERCHANTS: the merchants "random merchants" spreads payments over.
await conn.execute(
  `with m as (insert into merchants (code, name, category) select 'M-' || g, 'Bench merchant ' || g, 'REGULAR' from generate_series(1, ?) g returning id)
  insert into accounts (merchant_id) select id from m`,
  [MERCHANTS],
);
await conn.execute('analyze'); // as autovacuum would after a bulk load: the planner needs the row counts
const users = (await conn.execute(`select id, username from users where username like 'bench%' order by id`)) as { id: number; username: string }[];
const [merchant] = (await conn.execute(`select a.id from accounts a join merchants m on m.id = a.merchant_id where m.code = 'M-1'`)) as [{ id: string }];
const [feeAccount] = (await conn.execute(`select id from accounts where system_code = 'FEE_REVENUE'`)) as [{ id: string }];
const loadAverage = () => loadavg().map((l) => +l.toFixed(2));
log(`seeded ${users.length} funded accounts`);

// ---- tokens signed with the development key that the server also uses
const tokens = new JwtAccessTokenService(
  loadJwtKeys(loadConfig({})),
  { issuer: 'one-gate-payment', audience: 'one-gate-payment-api', ttlSeconds: 3600 },
  new InMemoryKeyValueStore(),
);
const bearer = users.map((u) => `Bearer ${tokens.issue({ userId: u.id, username: u.username, role: 'USER', sessionId: randomUUID() }).token}`);
const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)]!;
const cents = () => `${100 + Math.floor(Math.random() * 4900)}.00`;

const platform: ChildPlatform = await startChildPlatform(ENTRY, env, PORT);
log(`platform up on ${platform.url} (pid ${platform.pid})`);

async function scenario(name: string, connections: number, request: Parameters<typeof load>[0]['request']) {
  if (!ONLY.test(name)) return;
  const r = { ...(await load({ scenario: name, url: platform.url, connections, durationSeconds: SECONDS, request })), load_average: loadAverage() };
  results.push(r);
  log(
    `${name} @${connections}: ${r.achieved_rps} req/s, p50 ${r.p50_ms} ms, p99 ${r.p99_ms} ms, non-2xx ${r.non_2xx}, errors ${r.errors} (load ${r.load_average.join(' ')})`,
  );
}

const payment = () => ({
  method: 'POST' as const,
  path: '/api/payment/payments',
  headers: { authorization: pick(bearer) },
  body: JSON.stringify({ amount: cents(), merchant_id: 'M-1' }),
});
// Warm-up (not recorded): the server's JIT and pools, so the first scenario is not measured cold.
await load({ scenario: 'warm-up', url: platform.url, connections: 8, durationSeconds: Math.min(3, SECONDS), request: payment });
await scenario('payments, random payers', 16, payment);
const randomMerchant = () => ({ ...payment(), body: JSON.stringify({ amount: cents(), merchant_id: `M-${1 + Math.floor(Math.random() * MERCHANTS)}` }) });
await scenario(`payments to ${MERCHANTS} random merchants`, 16, randomMerchant);
await scenario('transfers, random pairs', 16, () => {
  const to = pick(users);
  return {
    method: 'POST',
    path: '/api/payment/transfers',
    headers: { authorization: pick(bearer) },
    body: JSON.stringify({ recipient: to.username, amount: cents() }),
  };
});
for (const c of HOT_CONNECTIONS) await scenario('payments into one hot merchant account', c, payment);
// Open model (issue 14, target 3): a fixed offered rate at 70% of the closed-loop peak into the hot merchant.
// BENCH_OPEN_FRACTIONS=0.3,0.5,0.7 runs it at each of those fractions of the peak (the latency curve).
const OPEN_FRACTIONS = (process.env.BENCH_OPEN_FRACTIONS ?? '0.7').split(',').map(Number);
const peak = Math.max(0, ...results.filter((r) => r.scenario === 'payments into one hot merchant account').map((r) => r.achieved_rps));
for (const fraction of peak > 0 && ONLY.test('open model') ? OPEN_FRACTIONS : []) {
  const rate = Math.max(1, Math.round(peak * fraction));
  const r = {
    ...(await openLoad({
      scenario: `payments into one hot merchant account, open model at ${Math.round(fraction * 100)}% of peak`,
      url: platform.url,
      rate,
      durationSeconds: SECONDS,
      request: payment,
    })),
    load_average: loadAverage(),
  };
  openResults.push(r);
  log(
    `open model (${Math.round(fraction * 100)}% of peak) @${rate}/s offered: ${r.achieved_rps}/s achieved, p50 ${r.p50_ms} ms, p99 ${r.p99_ms} ms, non-2xx ${r.non_2xx}, errors ${r.errors} (load ${r.load_average.join(' ')})`,
  );
}
await scenario('top-ups through the sandbox', 8, () => ({
  method: 'POST',
  path: '/api/payment/wallet/topup',
  headers: { authorization: pick(bearer) },
  body: JSON.stringify({
    amount: '10000.00',
    payment_method: pick(['GOPAY', 'SHOPEE_PAY']),
    phone_number: pick(['+6281200000001', '+6281200000002', '+6281200000003']),
  }),
}));
await scenario('user history reads', 16, () => ({ method: 'GET', path: '/api/transaction/me/histories?size=20', headers: { authorization: pick(bearer) } }));

// ---- login: users registered through the API (real Argon2id hashes)
const loginUsers: string[] = [];
for (let i = 0; i < (ONLY.test('login') ? 20 : 0); i++) {
  const name = `login${i}_${Date.now().toString(36)}`;
  const r = await fetch(`${platform.url}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: name, email: `${name}@example.com`, phone: `+62814${String(i).padStart(8, '0')}`, password: 'correct horse battery' }),
  });
  if (r.status === 201) loginUsers.push(name);
}
if (loginUsers.length && ONLY.test('login')) {
  await scenario('login (Argon2id verify)', 4, () => ({
    method: 'POST',
    path: '/api/auth/login',
    headers: { 'x-forwarded-for': '' },
    body: JSON.stringify({ username: pick(loginUsers), password: 'correct horse battery' }),
  }));
}
const argon = !ONLY.test('argon2') ? { stdout: '' } : spawnSync(process.execPath, ['bench/argon2.ts', String(Math.min(SECONDS, 5))], { encoding: 'utf8' });
notes.argon2 = argon.stdout
  .trim()
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l));

// ---- the regulator export: EXPORT_ROWS rows streamed; rows per second and the server's peak memory
if (ONLY.test('export')) {
  log(`inserting ${EXPORT_ROWS} history rows for the export`);
  await conn.execute(
    `insert into historical_transactions (user_id, account_id, transaction_id, transaction_type, transaction_status, amount, balance_before, balance_after, payment_method, created_at)
  select a.user_id, a.id, 'EXP-' || g, 'PAYMENT', 'SUCCESS', 1000.00, 5000.00, 4000.00, 'GOPAY', timestamptz '2026-01-01' + (g || ' seconds')::interval
    from generate_series(1, ?) g, lateral (select id, user_id from accounts where user_id is not null order by id limit 1) a`,
    [EXPORT_ROWS],
  );
  await conn.execute('analyze historical_transactions');
  const issued = execFileSync(
    process.execPath,
    [
      'src/entrypoints/admin/main.ts',
      'keys',
      'issue',
      '--service',
      'Bank Indonesia',
      '--name',
      `bench-${Date.now()}`,
      '--permissions',
      'READ_TRANSACTIONS',
      '--limit-minute',
      '1000',
      '--json',
    ],
    {
      env: { ...process.env, ...env },
      encoding: 'utf8',
    },
  );
  const apiKey = (JSON.parse(issued) as { api_key?: string; key?: string }).api_key ?? (JSON.parse(issued) as { key?: string }).key;
  for (const format of ['ndjson', 'csv']) {
    const rssBefore = platform.rssMiB();
    const started = performance.now();
    const res = await fetch(`${platform.url}/api/transaction/histories/export?from=2025-12-31T00:00:00Z&to=2026-12-31T00:00:00Z&format=${format}`, {
      headers: { 'x-api-key': String(apiKey) },
    });
    let lines = 0;
    let peak = rssBefore;
    const reader = res.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      for (const b of value) if (b === 10) lines++;
      peak = Math.max(peak, platform.rssMiB());
    }
    const secs = (performance.now() - started) / 1000;
    notes[`export_${format}`] = {
      status: res.status,
      lines,
      seconds: +secs.toFixed(1),
      rows_per_second: Math.round(lines / secs),
      server_rss_before_mib: +rssBefore.toFixed(0),
      server_rss_peak_during_mib: +peak.toFixed(0),
    };
    log(`export ${format}: ${lines} lines in ${secs.toFixed(1)} s, server RSS ${rssBefore.toFixed(0)} → peak ${peak.toFixed(0)} MiB`);
  }
}
await platform.stop();

// ---- PostgreSQL's own limit: the same statements as one payment, through pgbench, same concurrency
const minId = users[0]!.id;
const maxId = users[users.length - 1]!.id;
for (const c of ONLY.test('pgbench') ? [1, 4, 16, 64] : []) {
  const out = spawnSync(
    'pgbench',
    [
      '-n',
      '-M',
      'prepared',
      '-c',
      String(c),
      '-j',
      String(Math.min(c, 2)),
      '-T',
      String(SECONDS),
      '-D',
      `minid=${minId}`,
      '-D',
      `maxid=${maxId}`,
      '-D',
      `merchant=${merchant.id}`,
      '-f',
      'bench/pgbench-payment.sql',
      dbUrl.toString(),
    ],
    { encoding: 'utf8' },
  );
  const tps = Number(/tps = ([\d.]+)/.exec(out.stdout)?.[1] ?? 'NaN');
  const lat = Number(/latency average = ([\d.]+)/.exec(out.stdout)?.[1] ?? 'NaN');
  const api = results.find((r) => r.scenario === 'payments into one hot merchant account' && r.connections === c);
  notes[`pgbench_payment_c${c}`] = {
    tps: Math.round(tps),
    latency_avg_ms: lat,
    api_payments_per_second: api?.achieved_rps,
    ratio_api_over_pgbench: api ? +(api.achieved_rps / tps).toFixed(2) : null,
  };
  if (!Number.isFinite(tps)) log(`pgbench failed: ${out.stderr}`);
  log(`pgbench payment SQL @${c}: ${Math.round(tps)} tps; API/pgbench ${api ? (api.achieved_rps / tps).toFixed(2) : '-'}`);
}
// ---- issue 14's reference: a whole three-leg payment as one statement, one transaction per payment,
// on the same hot merchant (M-1) and over the same MERCHANTS merchants.
const pgbench = (file: string, c: number, defs: Record<string, string | number>) => {
  const d = Object.entries(defs).flatMap(([k, v]) => ['-D', `${k}=${v}`]);
  const out = spawnSync(
    'pgbench',
    ['-n', '-M', 'prepared', '-c', String(c), '-j', String(Math.min(c, 2)), '-T', String(SECONDS), ...d, '-f', file, dbUrl.toString()],
    { encoding: 'utf8' },
  );
  const tps = Number(/tps = ([\d.]+)/.exec(out.stdout)?.[1] ?? 'NaN');
  if (!Number.isFinite(tps)) log(`pgbench failed: ${out.stderr}`);
  return { tps: Math.round(tps), latency_avg_ms: Number(/latency average = ([\d.]+)/.exec(out.stdout)?.[1] ?? 'NaN'), load_average: loadAverage() };
};
const oneStatement = 'bench/pgbench-payment-one-statement.sql';
const ratio = (api: number | undefined, tps: number) => (api ? +(api / tps).toFixed(2) : null);
for (const c of ONLY.test('reference') ? HOT_CONNECTIONS.filter((c) => c >= 16) : []) {
  const r = pgbench(oneStatement, c, { minid: minId, maxid: maxId, mlo: 1, mhi: 1, feeacc: feeAccount.id });
  const api = results.find((x) => x.scenario === 'payments into one hot merchant account' && x.connections === c)?.achieved_rps;
  notes[`reference_one_statement_hot_c${c}`] = { ...r, api_payments_per_second: api, ratio_api_over_reference: ratio(api, r.tps), target: 1.0 };
  log(`one-statement payment, hot merchant @${c}: ${r.tps} tps; API/reference ${ratio(api, r.tps) ?? '-'} (load ${r.load_average.join(' ')})`);
}
if (ONLY.test('reference')) {
  const r = pgbench(oneStatement, 16, { minid: minId, maxid: maxId, mlo: 1, mhi: MERCHANTS, feeacc: feeAccount.id });
  const api = results.find((x) => x.scenario === `payments to ${MERCHANTS} random merchants` && x.connections === 16)?.achieved_rps;
  notes.reference_one_statement_random_c16 = { ...r, api_payments_per_second: api, ratio_api_over_reference: ratio(api, r.tps), target: 0.5 };
  log(`one-statement payment, ${MERCHANTS} random merchants @16: ${r.tps} tps; API/reference ${ratio(api, r.tps) ?? '-'} (load ${r.load_average.join(' ')})`);
}
await orm.close(true);

const machine = {
  cpus: cpus().length,
  cpu_model: cpus()[0]?.model,
  memory_gib: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  date: new Date().toISOString(),
  seconds_per_scenario: SECONDS,
  users: USERS,
  merchants: MERCHANTS,
  entry: ENTRY,
  load_average_at_end: loadAverage(),
};
mkdirSync('bench/results', { recursive: true });
writeFileSync(process.env.BENCH_OUT ?? 'bench/results/latest.json', JSON.stringify({ machine, results, open_model: openResults, notes }, null, 2));
console.log(`| scenario | connections | req/s | p50 ms | p99 ms | non-2xx | errors | load avg (1/5/15 min) |\n|---|---|---|---|---|---|---|---|`);
for (const r of results)
  console.log(
    `| ${r.scenario} | ${r.connections} | ${r.achieved_rps} | ${r.p50_ms} | ${r.p99_ms} | ${r.non_2xx} | ${r.errors} | ${r.load_average.join(' / ')} |`,
  );
for (const r of openResults)
  console.log(
    `| ${r.scenario} | open, ${r.offered_rps}/s offered | ${r.achieved_rps} | ${r.p50_ms} | ${r.p99_ms} | ${r.non_2xx} | ${r.errors} | ${r.load_average.join(' / ')} |`,
  );
console.log('\n```json\n' + JSON.stringify({ machine, notes }, null, 2) + '\n```');
