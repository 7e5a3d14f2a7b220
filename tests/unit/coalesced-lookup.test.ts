import { describe, expect, it } from 'vitest';
import { CoalescedLookup } from '../../src/adapters/persistence/coalesced-lookup.ts';

describe('CoalescedLookup (one statement for concurrent lookups)', () => {
  it('lookups made in the same turn share one load; each gets its own answer, null when absent', async () => {
    const loads: string[][] = [];
    const lookup = new CoalescedLookup<string, string>((keys) => {
      loads.push(keys);
      return Promise.resolve(new Map(keys.filter((k) => k !== 'missing').map((k) => [k, k.toUpperCase()])));
    });
    const answers = await Promise.all([lookup.load('a'), lookup.load('b'), lookup.load('a'), lookup.load('missing')]);
    expect(answers).toEqual(['A', 'B', 'A', null]);
    expect(loads).toEqual([['a', 'b', 'missing']]);
    // A later lookup is a new read, never an answer kept from before.
    expect(await lookup.load('a')).toBe('A');
    expect(loads).toHaveLength(2);
  });

  it('a failed load fails every lookup of its turn, and only those', async () => {
    let fail = true;
    const lookup = new CoalescedLookup<number, number>((keys) =>
      fail ? Promise.reject(new Error('down')) : Promise.resolve(new Map(keys.map((k) => [k, k]))),
    );
    const failed = await Promise.allSettled([lookup.load(1), lookup.load(2)]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await lookup.load(1)).toBe(1);
  });
});
