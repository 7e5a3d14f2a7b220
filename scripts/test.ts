// `npm test`: prepares the real services and runs every suite against them.
//  - PostgreSQL: creates a fresh dedicated database (TEST_DATABASE_NAME, default onegate_test) and migrates it.
//  - Redis: must answer at REDIS_URL (default redis://127.0.0.1:6379/1).
//  - Kafka: must answer at KAFKA_BROKERS (default 127.0.0.1:9092); started with scripts/kafka.sh when nothing answers.
//  - promtool: the machine's, or unpacked from Debian's prometheus package by scripts/ensure-promtool.sh.
// A service that cannot be reached stops the run with an error: no suite is ever skipped.
import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import pg from 'pg';
import { Redis } from 'ioredis';
import { createOrm, migrate } from '../src/adapters/persistence/orm.ts';

const adminUrl = process.env.TEST_POSTGRES_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const dbName = process.env.TEST_DATABASE_NAME ?? 'onegate_test';
const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/1';
const brokers = process.env.TEST_KAFKA_BROKERS ?? '127.0.0.1:9092';

function fail(message: string): never {
  console.error(`\nnpm test: ${message}\n`);
  process.exit(1);
}

function answers(hostPort: string): Promise<boolean> {
  const [host, port] = hostPort.split(':') as [string, string];
  return new Promise((resolve) => {
    const s = connect({ host, port: Number(port), timeout: 1000 }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
    s.on('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });
}

// PostgreSQL: a dedicated database, dropped and created anew, then migrated.
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect().catch((e: Error) => fail(`PostgreSQL is not reachable at ${adminUrl}: ${e.message}`));
await admin.query(`drop database if exists ${dbName} with (force)`);
await admin.query(`create database ${dbName}`);
await admin.end();
const testDbUrl = new URL(adminUrl);
testDbUrl.pathname = `/${dbName}`;
const orm = await createOrm({ url: testDbUrl.toString(), poolMax: 2 });
await migrate(orm);
await orm.close(true);

// Redis.
const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2000, retryStrategy: () => null });
await redis.connect().catch((e: Error) => fail(`Redis is not reachable at ${redisUrl}: ${e.message}`));
await redis.flushdb();
redis.disconnect();

// Kafka.
const first = brokers.split(',')[0]!;
if (!(await answers(first))) {
  console.log(`npm test: no Kafka broker on ${first}; starting one with scripts/kafka.sh`);
  const r = spawnSync('bash', ['scripts/kafka.sh', 'start'], { stdio: 'inherit' });
  if (r.status !== 0 || !(await answers(first))) fail(`Kafka is not reachable at ${brokers} and scripts/kafka.sh could not start it`);
}

// promtool, for the Prometheus config and rule checks: the machine's, or unpacked from Debian's package.
const promtool = spawnSync('bash', ['scripts/ensure-promtool.sh'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
if (promtool.status !== 0) fail('promtool is not available and scripts/ensure-promtool.sh could not fetch it');
// Appended, not prepended: the machine's promtool may sit in /usr/bin beside an older node.
const path = `${process.env.PATH ?? ''}:${promtool.stdout.trim()}`;

const result = spawnSync('npx', ['vitest', 'run', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: {
    ...process.env,
    PATH: path,
    TEST_DATABASE_URL: testDbUrl.toString(),
    TEST_POSTGRES_ADMIN_URL: adminUrl,
    TEST_REDIS_URL: redisUrl,
    TEST_KAFKA_BROKERS: brokers,
  },
});
process.exit(result.status ?? 1);
