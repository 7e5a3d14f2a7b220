import { describe, expect, it } from 'vitest';
import { isJsonMediaType } from '../../src/adapters/http/body-parser.ts';
import { isJsonNumber, jsonInteger, jsonNumberOf } from '../../src/adapters/http/json-number.ts';
import { isStorableText } from '../../src/adapters/http/storable-text.ts';
import { amountField } from '../../src/adapters/http/payment/payment.requests.ts';
import { decodeCursor, encodeCursor } from '../../src/adapters/persistence/transaction/postgres-transaction-read.repository.ts';
import { isBoundedDate, isBoundedDateTime } from '../../src/domain/shared/bounded-time.ts';

// The input guards at the HTTP edge, one by one; tests/e2e/security-edge.test.ts drives them over HTTP.
const ID = '0b7e4c5a-9a77-4d7e-8f0e-3f4c2b1a0d9e';

describe('bounded dates (years 1970–9999, real calendar days)', () => {
  it.each(['1970-01-01', '2026-02-28', '2024-02-29', '9999-12-31'])('accepts %s', (d) => expect(isBoundedDate(d)).toBe(true));
  it.each([
    '0000-01-01',
    '1969-12-31',
    '10000-01-01',
    '2026-02-29',
    '2026-13-01',
    '2026-00-10',
    '2026-04-31',
    '2026-1-01',
    ' 2026-01-01',
    '2026-01-01T00:00Z',
    '',
  ])('refuses %j', (d) => expect(isBoundedDate(d)).toBe(false));
  it.each(['2026-01-01T00:00Z', '2026-01-01T23:59:59.999999+07:00', '9999-12-31T23:59:59-14:00', '1970-01-01T00:00:00+14:00'])(
    'accepts the date-time %s',
    (d) => expect(isBoundedDateTime(d)).toBe(true),
  );
  it.each([
    '0000-01-01T00:00:00Z',
    '2026-01-01T24:00Z',
    '2026-01-01T10:60Z',
    '2026-01-01T10:00:60Z',
    '2026-01-01T10:00+15:00',
    '2026-01-01T10:00+07:60',
    '2026-01-01T10:00',
    '2026-01-01T10:00:00.1234567Z',
    '+275760-09-13T00:00:00Z',
    '2026-02-30T00:00Z',
  ])('refuses the date-time %j', (d) => expect(isBoundedDateTime(d)).toBe(false));
});

describe('cursors: only the exact form the API issues', () => {
  const issued = encodeCursor('2026-11-30T10:11:12.123456Z', ID);
  it('decodes what it issued', () => expect(decodeCursor(issued)).toEqual(['2026-11-30T10:11:12.123456Z', ID]));
  const b64 = (s: string) => Buffer.from(s).toString('base64url');
  it.each([
    ['a loose timestamp', b64(JSON.stringify(['1', ID]))],
    ['year 0000', b64(JSON.stringify(['0000-01-01T00:00:00.000000Z', ID]))],
    ['milliseconds only', b64(JSON.stringify(['2026-11-30T10:11:12.123Z', ID]))],
    ['an offset', b64(JSON.stringify(['2026-11-30T10:11:12.123456+07:00', ID]))],
    ['an upper-case uuid', b64(JSON.stringify(['2026-11-30T10:11:12.123456Z', ID.toUpperCase()]))],
    ['whitespace in the JSON', b64(`["2026-11-30T10:11:12.123456Z", "${ID}"]`)],
    ['base64 padding', `${Buffer.from(JSON.stringify(['2026-11-30T10:11:12.123456Z', ID])).toString('base64')}==`],
    ['a third element', b64(JSON.stringify(['2026-11-30T10:11:12.123456Z', ID, 1]))],
    ['garbage', '!!!'],
    ['NUL', b64(JSON.stringify(['2026-11-30T10:11:12.123456Z\u0000', ID]))],
  ])('refuses %s', (_n, c) => expect(() => decodeCursor(c)).toThrowError(expect.objectContaining({ code: 'INVALID_CURSOR' })));
});

describe('storable text', () => {
  it.each(['plain', '𝔘𝔫𝔦 🚀 مرحبا', '%00', '\u0001'])('accepts %j', (s) => expect(isStorableText(s)).toBe(true));
  it.each(['a\u0000b', '\ud800', 'x\udc00', '\udc00\ud800', '🚀'.slice(0, 1)])('refuses %j', (s) => expect(isStorableText(s)).toBe(false));
});

describe('request media types', () => {
  it.each([
    'application/json',
    'Application/JSON; charset=UTF-8',
    'application/json;charset="utf-8"',
    'application/merge-patch+json',
    'application/vnd.api+json',
  ])('accepts %s', (t) => expect(isJsonMediaType(t)).toBe(true));
  it.each([
    '',
    'text/plain; charset=json',
    'text/json',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=json',
    'application/jsonp',
    'application/json; charset=latin1',
    'application/+json',
  ])('refuses %j', (t) => expect(isJsonMediaType(t)).toBe(false));
});

describe('amounts are read from their source text', () => {
  const raw = (source: string) => (JSON as unknown as { rawJSON(s: string): unknown }).rawJSON(source);
  it.each([
    ['10000', 1_000_000n],
    ['10000.5', 1_000_050n],
    ['10000.50', 1_000_050n],
  ])('the JSON number %s', (source, minor) => {
    const v = raw(source);
    expect(isJsonNumber(v)).toBe(true);
    expect(amountField.parse(v).minor).toBe(minor);
  });
  it.each(['10000.0000000000000001', '0.29999999999999999', '1e4', '-1', '0', '10000000000000'])('refuses the JSON number %s', (source) =>
    expect(amountField.safeParse(raw(source)).success).toBe(false),
  );
  it('refuses a JavaScript float (nothing may bypass the body parser)', () => expect(amountField.safeParse(10000).success).toBe(false));
});

describe('jsonInteger (counts, never money)', () => {
  it.each([
    ['0', 0],
    ['42', 42],
    ['-7', -7],
  ])('reads %s', (source, value) => expect(jsonInteger.parse(jsonNumberOf(source))).toBe(value));
  it.each(['1.0', '1e3', '9007199254740993', '0.5'])('refuses %s', (source) => expect(jsonInteger.safeParse(jsonNumberOf(source)).success).toBe(false));
  it('refuses a JavaScript number (only the body parser makes request numbers)', () => expect(jsonInteger.safeParse(1).success).toBe(false));
});
