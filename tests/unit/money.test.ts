import { describe, expect, it } from 'vitest';
import { MAX_MINOR, Money } from '../../src/domain/shared/money.ts';

describe('Money', () => {
  it('parses decimal text to minor units exactly', () => {
    expect(Money.parse('10000').minor).toBe(1_000_000n);
    expect(Money.parse('10000.5').minor).toBe(1_000_050n);
    expect(Money.parse('0.01').minor).toBe(1n);
    expect(Money.parse('9999999999999.99').minor).toBe(MAX_MINOR);
  });

  it('formats with two decimals', () => {
    expect(Money.ofMinor(1_000_000n).toString()).toBe('10000.00');
    expect(Money.ofMinor(5n).toString()).toBe('0.05');
    expect(JSON.stringify({ a: Money.parse('1.1') })).toBe('{"a":"1.10"}');
  });

  it.each(['1.001', '-1', '+1', '1e5', 'NaN', 'Infinity', '', ' ', '01', '10000000000000', '1.', '.5', '0x10', '1,000'])('refuses %j', (bad) => {
    expect(() => Money.parse(bad)).toThrow();
  });

  it('accepts decimal text only, never a float (a JSON number arrives as its source text)', () => {
    expect(Money.fromInput('0.1').minor).toBe(10n);
    expect(Money.fromInput('10000.55').minor).toBe(1_000_055n);
    expect(Money.fromInput(' 25.00 ').minor).toBe(2500n);
    expect(() => Money.fromInput('10000.0000000000000001')).toThrow();
    expect(() => Money.fromInput('0.29999999999999999')).toThrow();
    expect(() => Money.fromInput('1e21')).toThrow();
    expect(() => Money.fromInput(0.1)).toThrow();
    expect(() => Money.fromInput(10000)).toThrow();
    expect(() => Money.fromInput(Number.NaN)).toThrow();
    expect(() => Money.fromInput(null)).toThrow();
    expect(() => Money.fromInput({})).toThrow();
  });

  it('adds and subtracts without going below zero or past numeric(15,2)', () => {
    const a = Money.parse('100.10');
    expect(a.plus(Money.parse('0.90')).toString()).toBe('101.00');
    expect(a.minus(Money.parse('100.10')).isZero()).toBe(true);
    expect(() => a.minus(Money.parse('100.11'))).toThrowError(/insufficient/);
    expect(() => Money.ofMinor(MAX_MINOR).plus(Money.ofMinor(1n))).toThrow();
    expect(() => Money.ofMinor(-1n)).toThrow();
  });

  it('compares', () => {
    expect(Money.parse('1').compare(Money.parse('2'))).toBe(-1);
    expect(Money.parse('2').gte(Money.parse('2.00'))).toBe(true);
    expect(Money.parse('2').equals(Money.parse('2.00'))).toBe(true);
  });
});
