import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/entrypoints/shared/config.ts';

describe('payout checker configuration', () => {
  it('has documented defaults: on, every 30 s, payouts older than 60 s, back-off up to 15 min, a 2 min lease', () => {
    const c = loadConfig({});
    expect([c.PAYOUT_CHECK_ENABLED, c.PAYOUT_CHECK_INTERVAL_MS, c.PAYOUT_CHECK_AFTER_SECONDS, c.PAYOUT_CHECK_BACKOFF_MAX_MS, c.PAYOUT_CHECK_LEASE_MS]).toEqual([
      true,
      30_000,
      60,
      900_000,
      120_000,
    ]);
  });

  it("refuses a delay shorter than the bank call's worst case, and a lease shorter than two calls", () => {
    // 10 s × 3 attempts + 600 ms of backoff = 30.6 s.
    const slow = { EWALLET_TIMEOUT_MS: '10000', EWALLET_RETRIES: '2', PAYMENT_RECONCILE_AFTER_SECONDS: '31', PAYMENT_RECONCILE_LEASE_MS: '60000' };
    expect(() => loadConfig(slow)).not.toThrow();
    expect(() => loadConfig({ ...slow, PAYOUT_CHECK_AFTER_SECONDS: '30' })).toThrowError(ConfigError);
    expect(() => loadConfig({ ...slow, PAYOUT_CHECK_AFTER_SECONDS: '30' })).toThrowError(
      /PAYOUT_CHECK_AFTER_SECONDS: the reconcile delay \(30000 ms\) is shorter .*30600 ms/,
    );
    expect(() => loadConfig({ ...slow, PAYOUT_CHECK_LEASE_MS: '61199' })).toThrowError(/PAYOUT_CHECK_LEASE_MS: must be at least twice .*61200 ms/);
    expect(() => loadConfig({ ...slow, PAYOUT_CHECK_LEASE_MS: '61200' })).not.toThrow();
    expect(() => loadConfig({ PAYOUT_CHECK_INTERVAL_MS: 'often' })).toThrowError(/PAYOUT_CHECK_INTERVAL_MS/);
  });
});
