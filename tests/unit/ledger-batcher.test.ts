import { describe, expect, it } from 'vitest';
import { Batcher, type Queued } from '../../src/adapters/persistence/payment/ledger-batcher.ts';

/** A batch runner that records the batches and lets the test decide when each one finishes. */
function recorder() {
  const batches: number[][] = [];
  const finish: (() => void)[] = [];
  const run = (batch: Queued<number, number>[]) =>
    new Promise<void>((done) => {
      batches.push(batch.map((q) => q.item));
      finish.push(() => {
        for (const q of batch) q.resolve(q.item * 10);
        done();
      });
    });
  return { batches, finish, run };
}
const tick = () => new Promise((r) => setImmediate(r));

describe('Batcher (group commit queue)', () => {
  it('a lone movement goes on the next turn of the event loop, alone', async () => {
    const r = recorder();
    const b = new Batcher(r.run, { max: 64, windowMs: 0, concurrency: 1 });
    const p = b.submit(1);
    await tick();
    expect(r.batches).toEqual([[1]]);
    r.finish[0]!();
    expect(await p).toBe(10);
  });

  it('what arrives while a batch is in flight waits and goes as the next batch, at most `max` at a time, in order', async () => {
    const r = recorder();
    const b = new Batcher(r.run, { max: 3, windowMs: 0, concurrency: 1 });
    const first = b.submit(0);
    await tick();
    const rest = [1, 2, 3, 4, 5, 6, 7].map((n) => b.submit(n));
    await tick();
    expect(r.batches).toEqual([[0]]); // nothing else starts while the first is in flight
    r.finish[0]!();
    await first;
    await tick();
    expect(r.batches).toEqual([[0], [1, 2, 3]]);
    r.finish[1]!();
    await tick();
    await tick();
    expect(r.batches).toEqual([[0], [1, 2, 3], [4, 5, 6]]);
    r.finish[2]!();
    await tick();
    await tick();
    r.finish[3]!();
    expect(await Promise.all(rest)).toEqual([10, 20, 30, 40, 50, 60, 70]);
    expect(r.batches.at(-1)).toEqual([7]);
  });

  it('a runner that throws rejects every movement of its batch, and the queue goes on', async () => {
    let calls = 0;
    const b = new Batcher<number, number>(
      async (batch) => {
        calls++;
        if (calls === 1) throw new Error('boom');
        for (const q of batch) q.resolve(q.item);
      },
      { max: 8, windowMs: 0, concurrency: 1 },
    );
    const failed = [b.submit(1), b.submit(2)];
    await expect(Promise.all(failed)).rejects.toThrow('boom');
    expect(await b.submit(3)).toBe(3);
  });
});
