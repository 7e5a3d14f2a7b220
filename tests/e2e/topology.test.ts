import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runTopology } from '../../bench/lib/topology.ts';
import { requireEnv } from '../support/services.ts';

// Issue 16, the short version of bench/topology.ts: auth, payment ×2 and transaction ×2 as separate
// processes behind HAProxy, the sandbox process outside them, on a database of its own; every fault
// kind but the broker restart (the suites share one broker), the graceful SIGTERM and the sandbox
// process's restart (tests/e2e/sandbox-process.test.ts) once, in order, under the bank workload.
describe('the bank on the real topology (short version)', () => {
  it('keeps the ledger, the provider boundary, the outbox and the read model exact through kills, a freeze, a partition and cut provider calls', async () => {
    // HAProxy is the OpenShift router: without it this test cannot run, and says so (.ci/run installs it).
    const haproxy = spawnSync('haproxy', ['-v'], { encoding: 'utf8' });
    expect(haproxy.error, 'haproxy is not installed: apt-get install -y haproxy').toBeUndefined();
    const lines: string[] = [];
    const result = await runTopology({
      auth: 1,
      payment: 2,
      transaction: 2,
      kafka: 'shared',
      sharedKafkaBrokers: requireEnv('TEST_KAFKA_BROKERS'),
      postgresAdminUrl: requireEnv('TEST_POSTGRES_ADMIN_URL'),
      redisUrl: requireEnv('TEST_REDIS_URL'),
      seed: 16,
      operations: 600,
      concurrency: 6,
      faults: ['kill-payment', 'stop-payment', 'partition-payment', 'kill-transaction', 'cut-sandbox'],
      ordered: true,
      minFaults: 5,
      calmMs: [500, 1000],
      settleMs: 4000,
      partitionMs: 8000,
      requestTimeoutMs: 5000,
      log: (l) => lines.push(l),
    });
    const summary = JSON.stringify({ ...result, statuses: undefined }, null, 1);
    expect(result.violations, `${summary}\n${lines.join('\n')}`).toEqual([]);
    expect(result.faults.length).toBeGreaterThanOrEqual(5);
    expect(result.outbox.events).toBeGreaterThan(0);
    expect(result.outbox.consumed_once).toBe(result.outbox.events);
  }, 420_000);
});
