import { describe, expect, it } from 'vitest';
import type { StatementLine } from '../../src/domain/ewallet/ewallet-provider.ts';
import { Money } from '../../src/domain/shared/money.ts';
import {
  parseStatementDate,
  reconcile,
  resolutionEffect,
  statementDateOf,
  statementWindow,
  type OurTopUp,
  type ReconciliationException,
} from '../../src/domain/reconciliation/reconciliation.ts';

const m = (s: string) => Money.parse(s);
const at = new Date('2026-12-01T05:00:00Z');
const line = (reference: string, amount = '10000.00', status: StatementLine['status'] = 'SUCCESS'): StatementLine => ({
  reference,
  providerReference: `P-${reference}`,
  amount: m(amount),
  status,
  createdAt: at,
  updatedAt: at,
});
const ours = (transactionId: string, amount = '10000.00', status: OurTopUp['status'] = 'SUCCESS', createdAt = at): OurTopUp => ({
  transactionId,
  accountId: 'a',
  amount: m(amount),
  status,
  createdAt,
});

describe('reconciliation rules', () => {
  it('cuts days at Jakarta midnight and refuses non-dates', () => {
    expect(statementWindow('2026-12-01')).toEqual({ from: new Date('2026-11-30T17:00:00Z'), to: new Date('2026-12-01T17:00:00Z') });
    expect(statementDateOf(new Date('2026-12-01T16:59:59Z'))).toBe('2026-12-01');
    expect(statementDateOf(new Date('2026-12-01T17:00:00Z'))).toBe('2026-12-02');
    for (const bad of ['2026-13-01', '2026-02-29', '20261201', '2026-12-1']) expect(() => parseStatementDate(bad)).toThrow(/not a date/);
  });

  it('classifies every line and every top-up of ours', () => {
    const day = [
      ours('A'),
      ours('B'),
      ours('C'),
      ours('D'),
      ours('E', '10000.00', 'FAILED'),
      ours('F', '10000.00', 'CANCELLED'),
      ours('G', '5000.00', 'PENDING'),
    ];
    const byRef = new Map([...day, ours('OLD')].map((t) => [t.transactionId, t]));
    const lines = [line('A'), line('B', '12000.00'), line('C', '10000.00', 'FAILED'), line('X'), line('OLD'), line('F', '10000.00', 'FAILED')];
    const r = reconcile(lines, (ref) => byRef.get(ref), day, null);
    expect(r.exceptions.map((e) => [e.kind, e.reference]).sort()).toEqual([
      ['AMOUNT_MISMATCH', 'B'],
      ['MISSING_OURS', 'X'],
      ['MISSING_PROVIDER', 'D'],
      ['MISSING_PROVIDER', 'G'],
      ['STATUS_MISMATCH', 'C'],
    ]);
    // A, OLD (yesterday's top-up on today's statement), F (CANCELLED = FAILED), E (FAILED, never seen).
    expect(r.counts).toMatchObject({ statementLines: 6, ourTopUps: 7, matched: 4, missingOurs: 1, missingProvider: 2, amountMismatch: 1, statusMismatch: 1 });
    // D was made just before midnight and is on the next day's statement: not missing.
    expect(reconcile(lines, (ref) => byRef.get(ref), day, new Set(['D'])).counts.missingProvider).toBe(1);
  });

  it('allows only the resolutions that fit, for the right amount', () => {
    const e = (over: Partial<ReconciliationException>): ReconciliationException => ({
      kind: 'AMOUNT_MISMATCH',
      reference: 'R',
      providerReference: 'P',
      ourAmount: m('10000.00'),
      providerAmount: m('10000.00'),
      ourStatus: 'SUCCESS',
      providerStatus: 'SUCCESS',
      ...over,
    });
    expect(resolutionEffect(e({ providerAmount: m('7000.00') }), 'refund')).toEqual({ kind: 'refund', amount: m('3000.00') });
    expect(resolutionEffect(e({ providerAmount: m('12500.50') }), 'write-off')).toEqual({ kind: 'write-off', amount: m('2500.50') });
    expect(() => resolutionEffect(e({ providerAmount: m('12500.50') }), 'refund')).toThrow(/RESOLUTION|does not apply/);
    expect(resolutionEffect(e({ kind: 'MISSING_PROVIDER', providerAmount: null, providerStatus: null }), 'refund')).toEqual({
      kind: 'refund',
      amount: m('10000.00'),
    });
    expect(resolutionEffect(e({ kind: 'MISSING_OURS', ourAmount: null, ourStatus: null }), 'write-off')).toEqual({ kind: 'write-off', amount: m('10000.00') });
    expect(resolutionEffect(e({ kind: 'STATUS_MISMATCH', ourStatus: 'FAILED' }), 'write-off')).toEqual({ kind: 'write-off', amount: m('10000.00') });
    expect(resolutionEffect(e({ kind: 'STATUS_MISMATCH', ourStatus: 'PENDING', providerStatus: 'FAILED' }), 'settle')).toEqual({
      kind: 'settle',
      outcome: 'FAILED',
    });
    expect(() => resolutionEffect(e({ kind: 'STATUS_MISMATCH', ourStatus: 'PENDING' }), 'refund')).toThrow(/PENDING/);
    expect(() => resolutionEffect(e({ kind: 'STATUS_MISMATCH', providerStatus: 'PENDING' }), 'refund')).toThrow(/not decided/);
    expect(() => resolutionEffect(e({}), 'settle')).toThrow(/not PENDING/);
    expect(resolutionEffect(e({}), 'no-action')).toEqual({ kind: 'no-action' });
  });
});

describe('statement CSV', async () => {
  const { parseCsv, toCsv } = await import('../../src/adapters/ewallet/statement-csv.ts');
  it('round-trips quotes, commas and line breaks', () => {
    const rows = [['a,b', 'say "hi"', 'line\nbreak', '']];
    expect(parseCsv(toCsv(['x', 'y', 'z', 'w'], rows))).toEqual([['x', 'y', 'z', 'w'], ...rows]);
    expect(() => parseCsv('a,"b')).toThrow(/unterminated/);
  });
});
