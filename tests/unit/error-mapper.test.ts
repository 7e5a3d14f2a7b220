import { describe, expect, it } from 'vitest';
import { isDependencyDown } from '../../src/adapters/http/error-mapper.ts';

describe('dependency outages map to 503', () => {
  it.each([
    ['a refused socket', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['PostgreSQL admin shutdown', Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })],
    ['PostgreSQL starting up', Object.assign(new Error('the database system is starting up'), { code: '57P03' })],
    ['a MikroORM connection exception', Object.assign(new Error('x'), { name: 'ConnectionException' })],
    ['ioredis offline', new Error("Stream isn't writeable and enableOfflineQueue options is false")],
    ['ioredis timeout', new Error('Command timed out')],
    ['wrapped', Object.assign(new Error('outer'), { cause: Object.assign(new Error('inner'), { code: 'ECONNRESET' }) })],
  ])('%s', (_n, err) => expect(isDependencyDown(err)).toBe(true));

  it.each([
    ['a unique violation', Object.assign(new Error('duplicate key'), { code: '23505' })],
    ['a plain bug', new TypeError('undefined is not a function')],
  ])('not %s', (_n, err) => expect(isDependencyDown(err)).toBe(false));
});
