import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SandboxJournal } from '../../src/adapters/ewallet/sandbox/sandbox-journal.ts';
import { SandboxWallets } from '../../src/adapters/ewallet/sandbox/sandbox-wallets.ts';
import { Money } from '../../src/domain/shared/money.ts';

const dir = mkdtempSync(join(tmpdir(), 'ogp-journal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('sandbox journal: a provider that does not forget', () => {
  it('restores wallets and top-ups, credits in one line with the SUCCESS, ignores a torn last line, and compacts', () => {
    const file = join(dir, 'gopay.jsonl');
    const first = new SandboxWallets('GOPAY', { journal: new SandboxJournal(file) });
    first.registerWallet('+6281355500001', { name: 'Rina', balance: '100.00' });
    const t = first.applyTopUp('TOP-1', '+6281355500001', Money.parse('900.00'), null);
    expect(t.status).toBe('SUCCESS');
    first.applyTopUp('TOP-2', '+6281355500001', Money.parse('50.00'), { kind: 'pending' });
    const lastLine = readFileSync(file, 'utf8').trim().split('\n').at(-2)!;
    expect(JSON.parse(lastLine)).toMatchObject({ t: [{ reference: 'TOP-1', status: 'SUCCESS' }], w: [{ phone: '+6281355500001', balance: '1000.00' }] });
    appendFileSync(file, '{"t":[{"reference":"TOP-3","sta'); // a crash mid-write

    const second = new SandboxWallets('GOPAY', { journal: new SandboxJournal(file) });
    expect(second.wallet('+6281355500001')!.balance.toString()).toBe('1000.00');
    expect(second.topUp('TOP-1')!.status).toBe('SUCCESS');
    expect(second.topUp('TOP-3')).toBeNull();
    // The same reference after the restart is still the same top-up: never credited twice.
    expect(second.applyTopUp('TOP-1', '+6281355500001', Money.parse('900.00'), null).providerReference).toBe(t.providerReference);
    second.settle('TOP-2', 'SUCCESS');
    expect(second.wallet('+6281355500001')!.balance.toString()).toBe('1050.00');
    expect(new SandboxWallets('GOPAY', { journal: new SandboxJournal(file) }).wallet('+6281355500001')!.balance.toString()).toBe('1050.00');
    expect(readFileSync(file, 'utf8')).not.toContain('TOP-3');
  });
});
