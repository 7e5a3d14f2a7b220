import { Container } from 'inversify';
import { describe, expect, it } from 'vitest';
import { AUTH, cookiesSecure, ensureDemoUser } from '../../src/entrypoints/auth/auth.module.ts';
import { EnsureDemoUserHandler } from '../../src/application/auth/ensure-demo-user/ensure-demo-user.handler.ts';
import { loadConfig } from '../../src/entrypoints/shared/config.ts';
import { CORE } from '../../src/entrypoints/composition/ids.ts';
import { FakePasswordHasher, InMemoryUserRepository } from '../support/auth-fakes.ts';

const realServices = { DATABASE_URL: 'postgresql://x@127.0.0.1/db', REDIS_URL: 'redis://127.0.0.1:6379', KAFKA_BROKERS: '127.0.0.1:9092' };

function containerWith(env: Record<string, string>) {
  const users = new InMemoryUserRepository();
  const c = new Container();
  c.bind(CORE.Config).toConstantValue(loadConfig(env));
  c.bind(AUTH.EnsureDemoUser).toConstantValue(new EnsureDemoUserHandler({ users, hasher: new FakePasswordHasher() }));
  return { c, users };
}

describe('the demo user', () => {
  it('exists on the embedded default, with a random password returned for printing', async () => {
    const { c, users } = containerWith({});
    const first = await ensureDemoUser(c);
    expect(first).toMatchObject({ username: 'demo' });
    expect(first!.password).toMatch(/^[A-Za-z0-9_-]{16}$/);
    const second = await ensureDemoUser(c);
    expect(second!.password).not.toBe(first!.password);
    expect(users.users).toHaveLength(1);
    expect(users.users[0]).toMatchObject({ phone: '+6281200000000', passwordHash: `plain:${second!.password}` });
  });

  it('is never created with real services (production included) or with DEMO_SEED=false', async () => {
    const envs: Record<string, string>[] = [realServices, { ...realServices, NODE_ENV: 'production', JWT_PRIVATE_KEY: 'x' }, { DEMO_SEED: 'false' }];
    for (const env of envs) {
      const { c, users } = containerWith(env);
      expect(await ensureDemoUser(c)).toBeNull();
      expect(users.users).toHaveLength(0);
    }
  });
});

describe('cookie Secure flag', () => {
  it('is on outside development unless COOKIE_SECURE says otherwise', () => {
    expect(cookiesSecure(loadConfig({}))).toBe(false);
    expect(cookiesSecure(loadConfig({ NODE_ENV: 'test' }))).toBe(true);
    expect(cookiesSecure(loadConfig({ ...realServices, NODE_ENV: 'production', JWT_PRIVATE_KEY: 'x' }))).toBe(true);
    expect(cookiesSecure(loadConfig({ COOKIE_SECURE: 'true' }))).toBe(true);
    expect(cookiesSecure(loadConfig({ NODE_ENV: 'test', COOKIE_SECURE: 'false' }))).toBe(false);
  });
});
