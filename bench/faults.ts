import { randomUUID } from 'node:crypto';
// Fault injection with the bank invariant checked afterwards (docs/RELIABILITY.md has the results).
//   node bench/faults.ts [kill|kafka|redis|postgres|all]      (FAULT_OPS=600, FAULT_KAFKA_SECONDS=60)
// kill:     the payment entrypoint is SIGKILLed at random moments under load and restarted.
// kafka:    the broker is stopped under load; payments go on; every event arrives afterwards, in order per account.
// redis:    Redis is shut down; logins and token checks answer 503 within their timeout; all recovers when it returns.
// postgres: PostgreSQL is restarted; requests fail fast with 503 and recover without restarting the services.
// It stops and starts this machine's Redis, PostgreSQL and Kafka: run it on a development machine, never next to other work.
import { execSync } from 'node:child_process';
import pg from 'pg';
import { Kafka } from 'kafkajs';
import { createOrm, migrate } from '../src/adapters/persistence/orm.ts';
import { paymentEnvFor, startSandboxes } from '../src/adapters/ewallet/sandbox/index.ts';
import { loadJwtKeys } from '../src/adapters/security/jwt-keys.ts';
import { JwtAccessTokenService } from '../src/adapters/security/jwt-access-token.service.ts';
import { InMemoryKeyValueStore } from '../src/adapters/memory/in-memory-key-value-store.ts';
import { loadConfig } from '../src/entrypoints/shared/config.ts';
import { finalInvariants, ledgerSnapshot, runBankWorkload, type BankClient } from '../tests/support/bank-workload.ts';
import { startChildPlatform, type ChildPlatform } from './lib/child-platform.ts';

const which = process.argv[2] ?? 'all';
const OPS = Number(process.env.FAULT_OPS ?? '600');
const KAFKA_DOWN_S = Number(process.env.FAULT_KAFKA_SECONDS ?? '60');
const ADMIN_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';
const DB = 'onegate_faults';
const PORT = 18180;
const report: Record<string, unknown> = {};
const log = (s: string) => console.error(`faults: ${new Date().toISOString().slice(11, 19)} ${s}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const admin = new pg.Client({ connectionString: ADMIN_URL });
await admin.connect();
await admin.query(`drop database if exists ${DB} with (force)`);
await admin.query(`create database ${DB}`);
await admin.end();
const dbUrl = new URL(ADMIN_URL);
dbUrl.pathname = `/${DB}`;
const orm = await createOrm({ url: dbUrl.toString(), poolMax: 4 });
await migrate(orm);

// The providers run here, outside the process that gets killed, like real providers would.
const sandboxes = await startSandboxes({ webhookBaseUrl: `http://127.0.0.1:${PORT}/api/payment/webhooks` });
// The providers' acceptance window, the same as the platform is told (GOPAY/SHOPEEPAY_ACCEPTANCE_WINDOW_MS below).
for (const sb of [sandboxes.gopay, sandboxes.shopeepay]) sb.control.acceptanceWindowMs = 4000;
const topic = `faults-events-${Date.now()}`;
const env: Record<string, string> = {
  NODE_ENV: 'development',
  DATABASE_URL: dbUrl.toString(),
  REDIS_URL: 'redis://127.0.0.1:6379/9',
  KAFKA_BROKERS: '127.0.0.1:9092',
  KAFKA_TOPIC_TRANSACTIONS: topic,
  KAFKA_CONSUMER_GROUP: `faults-${Date.now()}`,
  LOG_LEVEL: 'warn',
  ...paymentEnvFor(sandboxes),
  EWALLET_TIMEOUT_MS: '1000',
  EWALLET_RETRIES: '1',
  PAYMENT_RECONCILE_INTERVAL_MS: '500',
  PAYMENT_RECONCILE_AFTER_SECONDS: '3',
  PAYMENT_RECONCILE_BACKOFF_MAX_MS: '2000',
  GOPAY_ACCEPTANCE_WINDOW_MS: '4000',
  SHOPEEPAY_ACCEPTANCE_WINDOW_MS: '4000',
};

// Customers funded from the bank's FUNDING account in one transaction: the total never changes.
const conn = orm.em.getConnection();
await conn.execute(
  `insert into users (username, email, phone, password) select 'fault' || g, 'fault' || g || '@example.com', '+62815' || lpad(g::text, 8, '0'), 'x' from generate_series(1, 20) g`,
);
await orm.em.fork().transactional(async (em) => {
  await em.execute(`insert into accounts (user_id, balance) select id, 5000000.00 from users where username like 'fault%'`);
  await em.execute(`update accounts set balance = balance - 20 * 5000000.00 where system_code = 'FUNDING'`);
});
const users = (await conn.execute(`select id, username, phone from users where username like 'fault%' order by id`)) as {
  id: number;
  username: string;
  phone: string;
}[];
for (const u of users) for (const sb of [sandboxes.gopay, sandboxes.shopeepay]) sb.control.registerWallet(u.phone, { name: u.username });
const tokens = new JwtAccessTokenService(
  loadJwtKeys(loadConfig({})),
  { issuer: 'one-gate-payment', audience: 'one-gate-payment-api', ttlSeconds: 7200 },
  new InMemoryKeyValueStore(),
);
const clients: BankClient[] = users.map((u) => ({
  userId: u.id,
  username: u.username,
  phone: u.phone,
  token: tokens.issue({ userId: u.id, username: u.username, role: 'USER', sessionId: randomUUID() }).token,
}));
const [adminRow] = (await conn.execute(
  `insert into users (username, email, phone, password, role) values ('fault_admin', 'fault_admin@example.com', '+6281599999999', 'x', 'ADMIN') returning id`,
)) as [{ id: number }];
const adminToken = tokens.issue({ userId: adminRow.id, username: 'fault_admin', role: 'ADMIN', sessionId: randomUUID() }).token;
const initial = await ledgerSnapshot(orm);

let server: ChildPlatform = await startChildPlatform('src/entrypoints/all-in-one/main.ts', env, PORT);
const url = () => server.url;

async function settleAndCheck(name: string, stats: Awaited<ReturnType<typeof runBankWorkload>>) {
  const deadline = Date.now() + 120_000;
  let pending = -1;
  while (Date.now() < deadline) {
    const rows = (await conn.execute(`select transaction_id from historical_transactions where transaction_status = 'PENDING'`)) as {
      transaction_id: string;
    }[];
    pending = rows.length;
    if (pending === 0) break;
    for (const sb of [sandboxes.gopay, sandboxes.shopeepay])
      for (const r of rows) if (sb.control.topUp(r.transaction_id)?.status === 'PENDING') sb.control.settle(r.transaction_id, 'SUCCESS');
    await sleep(1000);
  }
  const violations = [...stats.violations, ...(await finalInvariants(orm, initial.total, sandboxes))];
  report[name] = { ...((report[name] as object) ?? {}), statuses: stats.statuses, checks: stats.checks, server_errors: stats.serverErrors.length, violations };
  log(
    `${name}: ${violations.length ? `VIOLATIONS:\n  ${violations.join('\n  ')}` : 'invariant holds'} (${stats.checks} checks, statuses ${JSON.stringify(stats.statuses)})`,
  );
}

const workload = (ops: number) => runBankWorkload({ baseUrl: url, orm, clients, adminToken, sandboxes, operations: ops, concurrency: 8, faults: true });

if (which === 'kill' || which === 'all') {
  log('kill: SIGKILL the payment process at random moments under load');
  let kills = 0;
  let running = true;
  const killer = (async () => {
    while (running) {
      await sleep(1500 + Math.random() * 2500);
      if (!running) break;
      await server.stop('SIGKILL');
      kills++;
      server = await startChildPlatform('src/entrypoints/all-in-one/main.ts', env, PORT);
    }
  })();
  const stats = await workload(OPS);
  running = false;
  await killer;
  report.kill = { kills };
  await settleAndCheck('kill', stats);
}

if (which === 'kafka' || which === 'all') {
  log(`kafka: broker stopped for ${KAFKA_DOWN_S} s under load`);
  execSync('bash scripts/kafka.sh stop', { stdio: ['ignore', 2, 2] });
  const during = await workload(Math.round(OPS / 2));
  await sleep(Math.max(0, KAFKA_DOWN_S * 1000 - 5000));
  execSync('bash scripts/kafka.sh start', { stdio: ['ignore', 2, 2] });
  await settleAndCheck('kafka', during);
  // Every committed event reaches Kafka, and each account's events arrive in commit order.
  const deadline = Date.now() + 120_000;
  let backlog = -1;
  while (Date.now() < deadline) {
    backlog = ((await conn.execute(`select count(*)::int as n from outbox_events where published_at is null`)) as [{ n: number }])[0].n;
    if (backlog === 0) break;
    await sleep(1000);
  }
  const expected = (await conn.execute(`select event_key as key, payload->>'event_id' as id from outbox_events where topic = ? order by seq`, [topic])) as {
    key: string;
    id: string;
  }[];
  const kafka = new Kafka({ clientId: 'faults-check', brokers: ['127.0.0.1:9092'], logLevel: 0 });
  const consumer = kafka.consumer({ groupId: `faults-check-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen: { key: string; id: string }[] = [];
  await consumer.run({
    eachMessage: async ({ message }) => void seen.push({ key: String(message.key), id: (JSON.parse(String(message.value)) as { event_id: string }).event_id }),
  });
  const until = Date.now() + 60_000;
  while (seen.length < expected.length && Date.now() < until) await sleep(500);
  await consumer.disconnect();
  const perKey = (xs: { key: string; id: string }[]) => xs.reduce<Record<string, string[]>>((m, x) => ((m[x.key] ??= []).push(x.id), m), {});
  const want = perKey(expected);
  const got = perKey(seen.filter((s, i, all) => all.findIndex((o) => o.id === s.id) === i));
  const outOfOrder = Object.keys(want).filter((k) => JSON.stringify(want[k]) !== JSON.stringify(got[k] ?? []));
  // The transaction service's consumer catches up and applies each event once.
  const transactionEvents = expected.length;
  let consumed = { n: -1 };
  const consumerDeadline = Date.now() + 120_000;
  while (Date.now() < consumerDeadline) {
    [consumed] = (await conn.execute(`select count(*)::int as n from processed_messages`)) as [{ n: number }];
    if (consumed.n >= transactionEvents) break;
    await sleep(1000);
  }
  const [readModel] = (await conn
    .execute(
      `select (select count(*) from historical_transactions)::int as rows, (select coalesce(sum(tx_count), 0)::int from transaction_daily_aggregates) as counted`,
    )
    .catch(() => [{ rows: -1, counted: -1 }])) as [{ rows: number; counted: number }];
  report.kafka = { ...(report.kafka as object), read_model_rows_counted: readModel.counted, history_rows: readModel.rows };
  report.kafka = {
    ...(report.kafka as object),
    outbox_backlog_after: backlog,
    events_committed: expected.length,
    events_received: seen.length,
    accounts_out_of_order: outOfOrder.length,
    processed_by_consumer: consumed.n,
  };
  log(`kafka: ${expected.length} events committed, ${seen.length} received, ${outOfOrder.length} accounts out of order, consumer processed ${consumed.n}`);
}

async function timed(path: string, init: RequestInit = {}) {
  const started = performance.now();
  try {
    const r = await fetch(`${url()}${path}`, { ...init, signal: AbortSignal.timeout(15_000) });
    return { status: r.status, ms: Math.round(performance.now() - started) };
  } catch (err) {
    return { status: 0, ms: Math.round(performance.now() - started), error: (err as Error).message };
  }
}

if (which === 'redis' || which === 'all') {
  log('redis: shut down, then restarted');
  const auth = { headers: { authorization: `Bearer ${clients[0]!.token}` } };
  execSync('redis-cli -p 6379 shutdown nosave || true');
  await sleep(500);
  const down = {
    balance: await timed('/api/payment/balance', auth),
    login: await timed('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'fault1', password: 'wrong-password' }),
    }),
    readyz: await timed('/readyz'),
  };
  execSync(`redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log`);
  await sleep(3000);
  const after = { balance: await timed('/api/payment/balance', auth), readyz: await timed('/readyz') };
  report.redis = { while_down: down, after_restart: after };
  log(`redis: down ${JSON.stringify(down)}; after ${JSON.stringify(after)}`);
}

if (which === 'postgres' || which === 'all') {
  log('postgres: restarted under requests');
  const auth = { headers: { authorization: `Bearer ${clients[1]!.token}` } };
  const cluster = execSync('ls /etc/postgresql').toString().trim().split('\n')[0];
  const probes: { status: number; ms: number }[] = [];
  let probing = true;
  const prober = (async () => {
    while (probing) {
      probes.push(await timed('/api/payment/account', auth));
      await sleep(100);
    }
  })();
  await sleep(500);
  execSync(`pg_ctlcluster --skip-systemctl-redirect ${cluster} main restart`);
  await sleep(4000);
  probing = false;
  await prober;
  const after = await timed('/api/payment/account', auth);
  report.postgres = {
    probes: probes.length,
    statuses: probes.reduce<Record<string, number>>((m, p) => ((m[p.status] = (m[p.status] ?? 0) + 1), m), {}),
    slowest_ms: Math.max(...probes.map((p) => p.ms)),
    after_restart: after,
  };
  log(`postgres: ${JSON.stringify(report.postgres)}`);
}

await server.stop();
await sandboxes.stop();
await orm.close(true);
console.log(JSON.stringify(report, null, 2));
