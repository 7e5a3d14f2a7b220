import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/entrypoints/shared/config.ts';
import {
  callWorstCaseMs,
  isNotFoundFinal,
  nextCheckDelayMs,
  notFoundFinalAfterMs,
  reconcileDelayProblem,
  sendFenceMs,
} from '../../src/domain/ewallet/top-up-finality.ts';

describe('top-up finality configuration', () => {
  it("the provider call's worst case is timeout × (retries + 1) plus the longest backoffs", () => {
    expect(callWorstCaseMs({ timeoutMs: 5000, retries: 2, backoffMs: 200 })).toBe(15_600);
    expect(callWorstCaseMs({ timeoutMs: 300, retries: 0, backoffMs: 200 })).toBe(300);
    expect(sendFenceMs({ timeoutMs: 5000, retries: 2, backoffMs: 200 })).toBe(31_200);
    expect(notFoundFinalAfterMs({ timeoutMs: 5000, retries: 2, backoffMs: 200 }, 900_000)).toBe(931_200);
  });

  it('"not found" is final only once the send fence and the acceptance window have both passed', () => {
    const call = { timeoutMs: 1000, retries: 1, backoffMs: 100 }; // worst case 2100 ms, fence 4200 ms
    expect(isNotFoundFinal(0, call, 5000)).toBe(false);
    expect(isNotFoundFinal(9199, call, 5000)).toBe(false);
    expect(isNotFoundFinal(9200, call, 5000)).toBe(true);
  });

  it('backs off exponentially between checks of a top-up still unknown, capped', () => {
    expect([0, 1, 2, 3, 10, 100].map((n) => nextCheckDelayMs(n, 1000, 5000))).toEqual([1000, 2000, 4000, 5000, 5000, 5000]);
  });

  it('accepts the defaults and a reconcile delay exactly at the worst case', () => {
    const c = loadConfig({});
    expect([c.GOPAY_ACCEPTANCE_WINDOW_MS, c.SHOPEEPAY_ACCEPTANCE_WINDOW_MS, c.PAYMENT_RECONCILE_LEASE_MS]).toEqual([900_000, 900_000, 60_000]);
    expect(() => loadConfig({ EWALLET_TIMEOUT_MS: '1000', EWALLET_RETRIES: '1', EWALLET_BACKOFF_MS: '0', PAYMENT_RECONCILE_AFTER_SECONDS: '2' })).not.toThrow();
    expect(reconcileDelayProblem(2000, { timeoutMs: 1000, retries: 1, backoffMs: 0 })).toBeNull();
  });

  it("refuses at startup a reconcile delay shorter than the provider call's worst case (timeout × (retries + 1))", () => {
    // 10 s × 3 attempts + 600 ms of backoff = 30.6 s > 30 s.
    const env = { EWALLET_TIMEOUT_MS: '10000', EWALLET_RETRIES: '2', PAYMENT_RECONCILE_AFTER_SECONDS: '30' };
    expect(() => loadConfig(env)).toThrowError(ConfigError);
    expect(() => loadConfig(env)).toThrowError(
      /PAYMENT_RECONCILE_AFTER_SECONDS: the reconcile delay \(30000 ms\) is shorter than the provider call's worst case .*30600 ms/,
    );
    expect(() => loadConfig({ ...env, PAYMENT_RECONCILE_AFTER_SECONDS: '31' })).not.toThrow();
  });

  it('refuses a reconcile lease shorter than one status inquiry can take, and bad windows', () => {
    expect(() => loadConfig({ PAYMENT_RECONCILE_LEASE_MS: '10000' })).toThrowError(/PAYMENT_RECONCILE_LEASE_MS: the reconcile lease/);
    expect(() => loadConfig({ GOPAY_ACCEPTANCE_WINDOW_MS: '0' })).toThrowError(/GOPAY_ACCEPTANCE_WINDOW_MS/);
    expect(() => loadConfig({ SHOPEEPAY_ACCEPTANCE_WINDOW_MS: 'soon' })).toThrowError(/SHOPEEPAY_ACCEPTANCE_WINDOW_MS/);
  });
});
