import { describe, expect, it } from 'vitest';
import { InMemoryKeyValueStore } from '../../src/adapters/memory/in-memory-key-value-store.ts';
import { DEFAULT_LOGIN_POLICY, LoginThrottle } from '../../src/application/auth/login/login-throttle.ts';
import { FakeClock } from '../support/auth-fakes.ts';

function setup() {
  const clock = new FakeClock();
  const kv = new InMemoryKeyValueStore(clock.nowMs);
  return { clock, kv, throttle: new LoginThrottle(kv) };
}

async function fail(throttle: LoginThrottle, account: string, ip: string, userId: number | null = 1) {
  await throttle.failed(await throttle.admit(account, ip, userId));
}

const refused = (p: Promise<unknown>) => expect(p).rejects.toMatchObject({ code: 'TOO_MANY_LOGIN_ATTEMPTS', kind: 'rate_limited' });

describe('login throttle', () => {
  it('locks the account+IP pair after 5 failures, for 15 minutes, with a Retry-After', async () => {
    const { throttle, clock } = setup();
    for (let i = 0; i < 5; i++) await fail(throttle, 'user:1', '1.1.1.1');
    const err = await throttle.admit('user:1', '1.1.1.1', 1).catch((e) => e);
    expect(err.details.retryAfterSeconds).toBe(900);
    clock.advance(600);
    await refused(throttle.admit('user:1', '1.1.1.1', 1));
    clock.advance(301);
    // Time-bound: the lock and the window are gone.
    await expect(throttle.admit('user:1', '1.1.1.1', 1)).resolves.toMatchObject({ pairCount: 1 });
  });

  it('refused attempts do not extend the lock', async () => {
    const { throttle, clock } = setup();
    for (let i = 0; i < 5; i++) await fail(throttle, 'user:1', '1.1.1.1');
    for (let i = 0; i < 20; i++) {
      clock.advance(40);
      await refused(throttle.admit('user:1', '1.1.1.1', 1));
    }
    clock.advance(101);
    await expect(throttle.admit('user:1', '1.1.1.1', 1)).resolves.toBeDefined();
  });

  it('a success resets the account and pair counters', async () => {
    const { throttle } = setup();
    for (let i = 0; i < 4; i++) await fail(throttle, 'user:1', '1.1.1.1');
    await throttle.succeeded(await throttle.admit('user:1', '1.1.1.1', 1));
    for (let i = 0; i < 4; i++) await fail(throttle, 'user:1', '1.1.1.1');
    await expect(throttle.admit('user:1', '1.1.1.1', 1)).resolves.toMatchObject({ pairCount: 5 });
  });

  it('locks the account for unknown IPs when failures come from many IPs, but not for an IP the owner logged in from', async () => {
    const { throttle } = setup();
    await throttle.succeeded(await throttle.admit('user:1', '9.9.9.9', 1));
    for (let i = 0; i < 5; i++) await fail(throttle, 'user:1', `2.2.2.${i}`);
    await refused(throttle.admit('user:1', '3.3.3.3', 1));
    await expect(throttle.admit('user:1', '9.9.9.9', 1)).resolves.toMatchObject({ known: true });
  });

  it('lets at most 5 of a parallel burst through to the password check', async () => {
    const { throttle } = setup();
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => throttle.admit('user:1', '1.1.1.1', 1)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
  });

  it('locks an IP that fails against many accounts (credential stuffing), a success there does not reset it', async () => {
    const { throttle } = setup();
    for (let i = 0; i < DEFAULT_LOGIN_POLICY.ipMaxFailures; i++) await fail(throttle, `user:${100 + i}`, '6.6.6.6', 100 + i);
    await refused(throttle.admit('user:999', '6.6.6.6', 999));
    await expect(throttle.admit('user:999', '7.7.7.7', 999)).resolves.toBeDefined();
  });

  it('keeps accounts apart', async () => {
    const { throttle } = setup();
    for (let i = 0; i < 5; i++) await fail(throttle, 'user:1', '1.1.1.1');
    await expect(throttle.admit('user:2', '1.1.1.1', 2)).resolves.toBeDefined();
  });
});
