import { describe, expect, it } from 'vitest';
import { compareMigrations, describeSchemaVersion, isCurrent } from '../../src/adapters/persistence/schema-version.ts';
import { ConfigError, loadConfig, loadMigrateConfig } from '../../src/entrypoints/shared/config.ts';

describe('the schema version against the code’s migrations', () => {
  const code = ['20261125000000-initial-schema', '20261125010000-idempotency-keys'];

  it('is current when the database ran exactly the code’s migrations (names with or without .ts/.js)', () => {
    const v = compareMigrations(code, ['20261125000000-initial-schema.ts', '20261125010000-idempotency-keys']);
    expect(v).toEqual({ pending: [], unknown: [] });
    expect(isCurrent(v)).toBe(true);
  });

  it('names the pending ones, in the code’s order, and the command to run', () => {
    const v = compareMigrations(code, []);
    expect(v).toEqual({ pending: code, unknown: [] });
    expect(isCurrent(v)).toBe(false);
    expect(describeSchemaVersion(v)).toMatch(
      /2 pending migration\(s\) \(20261125000000-initial-schema, 20261125010000-idempotency-keys\): run `npm run migrate`/,
    );
  });

  it('names the ones the code does not know (a newer schema: a rollback)', () => {
    const v = compareMigrations(code, [...code, '20270101000000-newer']);
    expect(v).toEqual({ pending: [], unknown: ['20270101000000-newer'] });
    expect(describeSchemaVersion(v)).toMatch(/does not know \(20270101000000-newer\).*newer than this code/);
  });
});

describe('the migration job’s configuration', () => {
  it('needs DATABASE_URL only (the platform’s needs Redis and Kafka beside it)', () => {
    const env = { DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/x', NODE_ENV: 'production' };
    expect(loadMigrateConfig(env).DATABASE_URL).toBe(env.DATABASE_URL);
    expect(() => loadConfig(env)).toThrow(/REDIS_URL, KAFKA_BROKERS: required/);
  });

  it('refuses to run without DATABASE_URL, and still validates what is set', () => {
    expect(() => loadMigrateConfig({})).toThrow(ConfigError);
    expect(() => loadMigrateConfig({})).toThrow(/DATABASE_URL: required by the migration job/);
    expect(() => loadMigrateConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
  });
});
