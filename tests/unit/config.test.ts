import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/entrypoints/shared/config.ts';

describe('configuration', () => {
  it('defaults to the embedded platform on port 8080 with no services configured', () => {
    const c = loadConfig({});
    expect(c.embedded).toBe(true);
    expect(c.PORT).toBe(8080);
    expect(c.ACCESS_TOKEN_TTL_SECONDS).toBe(900);
    expect(c.REFRESH_TOKEN_TTL_SECONDS).toBe(604800);
  });

  it('uses the real services when all three are set', () => {
    const c = loadConfig({ DATABASE_URL: 'postgresql://u@h:5432/d', REDIS_URL: 'redis://h:6379', KAFKA_BROKERS: 'h:9092,i:9092' });
    expect(c.embedded).toBe(false);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x', REDIS_URL: 'redis://h', KAFKA_BROKERS: 'h:1' }, 'DATABASE_URL'],
    [{ KAFKA_BROKERS: 'no-port', DATABASE_URL: 'postgres://h/d', REDIS_URL: 'redis://h' }, 'KAFKA_BROKERS'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ DATABASE_URL: 'postgres://h/d' }, 'REDIS_URL'],
    [{ NODE_ENV: 'production' }, 'DATABASE_URL'],
    [{ ARGON2_MEMORY_KIB: '1024' }, 'ARGON2_MEMORY_KIB'],
    [{ COOKIE_SECURE: 'yes' }, 'COOKIE_SECURE'],
  ])('fails fast naming the bad variable: %j', (env, name) => {
    expect(() => loadConfig(env)).toThrowError(ConfigError);
    expect(() => loadConfig(env)).toThrowError(new RegExp(name));
  });
});
