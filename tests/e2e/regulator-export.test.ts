import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type RunningPlatform } from '../../src/entrypoints/shared/platform.ts';
import { transactionModule } from '../../src/entrypoints/transaction/transaction.module.ts';
import { realServicesConfig, uniq } from '../support/services.ts';
import { createTxUser, issueTestKey } from '../support/transaction-fixtures.ts';

const ROWS = 100_000;
// A full collection on demand, so the samples measure live memory rather than garbage not yet collected.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const liveHeap = () => {
  gc();
  return process.memoryUsage().heapUsed;
};
let p: RunningPlatform;
// A window of its own (a random hour in 2003), so the export holds exactly the rows made here.
const start = new Date(Date.UTC(2003, Math.floor(Math.random() * 12), 1 + Math.floor(Math.random() * 27), Math.floor(Math.random() * 20)));

beforeAll(async () => {
  p = await startPlatform({
    service: 'transaction-service',
    modules: [transactionModule],
    config: realServicesConfig({ KAFKA_TOPIC_TRANSACTIONS: uniq('tx-events-exp-'), KAFKA_CONSUMER_GROUP: uniq('grp-') }),
  });
  const user = await createTxUser(p.infra.orm);
  const tag = uniq('E');
  await p.infra.orm.em.getConnection().execute(
    `insert into historical_transactions (user_id, account_id, transaction_id, transaction_type, transaction_status, amount, balance_before, balance_after, payment_method, description, created_at, updated_at)
     select ?, ?, ? || '-' || g, 'PAYMENT', 'SUCCESS', (g % 1000 + 1)::numeric(15,2), 0, 0, 'GOPAY', 'merchant payment number ' || g, ?::timestamptz + g * interval '10 milliseconds', now()
     from generate_series(1, ?) g`,
    [user.userId, user.accountId, tag, start, ROWS],
  );
}, 120_000);
afterAll(async () => {
  await p?.stop();
});

describe('regulator export of 100,000 rows', () => {
  it('streams every row without holding them in memory', async () => {
    const { key } = await issueTestKey(p.infra.orm);
    const from = encodeURIComponent(start.toISOString());
    const to = encodeURIComponent(new Date(start.getTime() + 3600_000).toISOString());
    const baseline = liveHeap();
    let peak = baseline;
    let nextSample = 0;
    const r = await fetch(`${p.url}/api/transaction/histories/export?from=${from}&to=${to}&format=ndjson`, { headers: { 'X-API-Key': key } });
    expect(r.status).toBe(200);
    let lines = 0;
    let bytes = 0;
    let tail = '';
    let first: string | undefined;
    const decoder = new TextDecoder();
    // Read slowly-ish in chunks, counting lines, keeping nothing.
    for await (const chunk of r.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.byteLength;
      const text = tail + decoder.decode(chunk, { stream: true });
      const parts = text.split('\n');
      tail = parts.pop()!;
      first ??= parts[0];
      lines += parts.length;
      // Sample the live heap (this process runs the server too) a few dozen times along the way.
      if (bytes >= nextSample) {
        peak = Math.max(peak, liveHeap());
        nextSample += 4 * 1024 * 1024;
      }
    }
    expect(lines).toBe(ROWS);
    expect(JSON.parse(first!)).toMatchObject({ transaction_type: 'PAYMENT', amount: '2.00' });
    // The body is tens of megabytes; the live heap of the server and this reader together grows by a
    // small fraction of it (loose bound, no timing). Holding the rows would need more than the body.
    const growth = peak - baseline;
    expect(bytes).toBeGreaterThan(25 * 1024 * 1024);
    expect(growth).toBeLessThan(bytes / 4);
    console.log(`export: ${bytes} bytes, live heap growth ${growth} bytes`);
  }, 120_000);
});
