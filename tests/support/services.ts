import { loadConfig, type Config } from '../../src/entrypoints/shared/config.ts';

/**
 * The real services that `npm test` prepared. A suite that needs one and finds its variable
 * missing fails loudly: it never skips.
 */
export function requireEnv(name: 'TEST_DATABASE_URL' | 'TEST_REDIS_URL' | 'TEST_KAFKA_BROKERS' | 'TEST_POSTGRES_ADMIN_URL'): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the suites with \`npm test\`, which prepares PostgreSQL, Redis and Kafka`);
  return v;
}

/** A config pointing at the real services, on a free port, quiet logs unless TEST_LOG_LEVEL is set. */
export function realServicesConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: requireEnv('TEST_DATABASE_URL'),
    REDIS_URL: requireEnv('TEST_REDIS_URL'),
    KAFKA_BROKERS: requireEnv('TEST_KAFKA_BROKERS'),
    ARGON2_MEMORY_KIB: '19456',
    // The suites register many users from 127.0.0.1; the limit itself is tested with a low value.
    REGISTRATIONS_PER_IP_PER_HOUR: '100000',
    // The daily statement job would reconcile yesterday's top-ups of every suite against each suite's
    // own sandboxes; the suites that test it drive it themselves.
    STATEMENT_RECONCILE_ENABLED: 'false',
    // Likewise the payout checker would settle other suites' PENDING payouts of the shared database
    // against this platform's own disbursement sandbox; the suites that test it turn it on.
    PAYOUT_CHECK_ENABLED: 'false',
    // The suites play Kong from loopback: X-Forwarded-For from 127.0.0.1 names the client (one hop).
    TRUSTED_PROXIES: '127.0.0.1,::1',
    // TEST_LEDGER_BATCH_MAX=n sets the ledger's group commit for the suites (0: one transaction per movement; default: the configured one).
    ...(process.env.TEST_LEDGER_BATCH_MAX ? { LEDGER_BATCH_MAX: process.env.TEST_LEDGER_BATCH_MAX } : {}),
    ...overrides,
  });
}

export const uniq = (prefix = 'u'): string => `${prefix}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
