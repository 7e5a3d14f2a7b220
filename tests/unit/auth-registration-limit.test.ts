import { describe, expect, it } from 'vitest';
import { RegisterHandler } from '../../src/application/auth/register/register.handler.ts';
import { InMemoryKeyValueStore } from '../../src/adapters/memory/in-memory-key-value-store.ts';
import { FakePasswordHasher, InMemoryUserRepository } from '../support/auth-fakes.ts';

const registration = (i: number) => ({
  username: `limit_${i}`,
  email: `limit${i}@example.com`,
  phone: `08131234${String(i).padStart(4, '0')}`,
  password: 'correct horse battery',
});

describe('registrations per client IP', () => {
  it('admits the limit, then refuses with 429 and a Retry-After, before any hashing; other addresses are unaffected', async () => {
    const hasher = new FakePasswordHasher();
    let hashed = 0;
    const counting = Object.assign(Object.create(hasher) as FakePasswordHasher, { hash: async (p: string) => (hashed++, hasher.hash(p)) });
    const handler = new RegisterHandler({ users: new InMemoryUserRepository(), hasher: counting, limit: { kv: new InMemoryKeyValueStore(), perHour: 2 } });
    await handler.execute(registration(1), '198.51.100.7');
    await handler.execute(registration(2), '198.51.100.7');
    await expect(handler.execute(registration(3), '198.51.100.7')).rejects.toMatchObject({
      code: 'TOO_MANY_REGISTRATIONS',
      kind: 'rate_limited',
      details: { retryAfterSeconds: expect.any(Number) },
    });
    expect(hashed).toBe(2);
    await expect(handler.execute(registration(4), '203.0.113.9')).resolves.toMatchObject({ user: { username: 'limit_4' } });
  });
});
