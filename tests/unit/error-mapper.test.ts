import { describe, expect, it } from 'vitest';
import { isDependencyDown } from '../../src/adapters/http/error-mapper.ts';

describe('dependency outages map to 503', () => {
  it.each([
    ['a refused socket', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['PostgreSQL admin shutdown', Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })],
    ['PostgreSQL starting up', Object.assign(new Error('the database system is starting up'), { code: '57P03' })],
    ...['08000', '08001', '08003', '08004', '08006', '57P02', '53300'].map(
      (code) => [`PostgreSQL ${code}`, Object.assign(new Error('connection'), { code })] as [string, Error],
    ),
    ['a MikroORM connection exception', Object.assign(new Error('x'), { name: 'ConnectionException' })],
    ['ioredis offline', new Error("Stream isn't writeable and enableOfflineQueue options is false")],
    ['ioredis timeout', new Error('Command timed out')],
    ['wrapped', Object.assign(new Error('outer'), { cause: Object.assign(new Error('inner'), { code: 'ECONNRESET' }) })],
  ])('%s', (_n, err) => expect(isDependencyDown(err)).toBe(true));

  it.each([
    ['a unique violation', Object.assign(new Error('duplicate key'), { code: '23505' })],
    ['a plain bug', new TypeError('undefined is not a function')],
    // A value PostgreSQL cannot take (U+0000) is a protocol violation, not an outage.
    ['PostgreSQL 08P01 protocol violation', Object.assign(new Error('invalid message format'), { code: '08P01' })],
    ['a wrapped 08P01', Object.assign(new Error('outer'), { cause: Object.assign(new Error('invalid byte sequence'), { code: '08P01' }) })],
    ['PostgreSQL 22021 bad byte sequence', Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' })],
  ])('not %s', (_n, err) => expect(isDependencyDown(err)).toBe(false));
});
