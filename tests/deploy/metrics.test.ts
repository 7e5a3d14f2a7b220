import { describe, expect, it } from 'vitest';
import { startPlatform } from '../../src/entrypoints/shared/platform.ts';
import { paymentModule } from '../../src/entrypoints/payment/payment.module.ts';
import { realServicesConfig } from '../support/services.ts';

/*
 * The metrics the dashboards and alert rules are built on, read from a running deployment's
 * /metrics: per-route request duration and errors, outbox backlog and age, PostgreSQL pool usage.
 */
describe('/metrics of a deployment', () => {
  it('exposes request metrics per route, the outbox gauges and the PostgreSQL pool usage', async () => {
    const p = await startPlatform({ service: 'payment-service', modules: [paymentModule], config: realServicesConfig({ DATABASE_POOL_MAX: '7' }) });
    try {
      expect((await fetch(`${p.url}/readyz`)).status).toBe(200);
      expect((await fetch(`${p.url}/api/payment/balance`)).status).toBe(401);
      const text = await (await fetch(`${p.url}/metrics`)).text();
      const value = (re: RegExp) => Number(text.match(re)?.[1]);
      expect(text).toMatch(/http_request_duration_seconds_count\{[^}]*route="\/api\/payment\/balance"[^}]*status="401"[^}]*\} 1/);
      expect(text).toContain('# TYPE http_request_errors_total counter');
      expect(value(/^outbox_backlog_events\{[^}]*\} (\S+)$/m)).toBeGreaterThanOrEqual(0);
      expect(value(/^outbox_oldest_unpublished_age_seconds\{[^}]*\} (\S+)$/m)).toBeGreaterThanOrEqual(0);
      expect(value(/^db_pool_max\{[^}]*\} (\S+)$/m)).toBe(7);
      const total = value(/^db_pool_connections\{state="total"[^}]*\} (\S+)$/m);
      expect(total).toBeGreaterThanOrEqual(1);
      expect(total).toBeLessThanOrEqual(7);
      // A snapshot: other gauges query the pool during the same scrape, so requests may be queued.
      expect(value(/^db_pool_connections\{state="waiting"[^}]*\} (\S+)$/m)).toBeGreaterThanOrEqual(0);
      expect(value(/^db_pool_connections\{state="idle"[^}]*\} (\S+)$/m)).toBeLessThanOrEqual(total);
    } finally {
      await p.stop();
    }
  });
});
