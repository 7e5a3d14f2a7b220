import pg from 'pg';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { startPlatform } from '../../src/entrypoints/shared/platform.ts';
import { paymentModule } from '../../src/entrypoints/payment/payment.module.ts';
import { createOrm, migrate } from '../../src/adapters/persistence/orm.ts';
import { registerBusinessMetrics } from '../../src/adapters/observability/business-metrics.ts';
import { realServicesConfig, requireEnv, uniq } from '../support/services.ts';

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
      expect(text).toContain('# TYPE business_transactions_recent gauge');
      expect(text).toContain('# TYPE business_transaction_amount_idr_recent gauge');
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

describe('business metrics from the ledger', () => {
  it('count the last 5 minutes of transactions by type, current status and method, with their amounts', async () => {
    // A database of its own: the gauges are global, so exact numbers need a ledger nobody else writes.
    const adminUrl = requireEnv('TEST_POSTGRES_ADMIN_URL');
    const dbName = uniq('onegate_metrics_');
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database ${dbName}`);
    const url = new URL(adminUrl);
    url.pathname = `/${dbName}`;
    const orm = await createOrm({ url: url.toString(), poolMax: 2 });
    try {
      await migrate(orm);
      const db = orm.em.getConnection();
      await db.execute(`insert into users (username, email, phone, password) values ('kpi', 'kpi@example.com', '+6281200000001', 'x')`);
      await db.execute(`insert into accounts (user_id, balance) select id, 100000.00 from users where username = 'kpi'`);
      const tx = (id: string, type: string, status: string, method: string | null, amount: string, age = '0 seconds') =>
        db.execute(
          `insert into historical_transactions (user_id, account_id, transaction_id, transaction_type, transaction_status, amount, balance_before, balance_after, payment_method, created_at)
           select u.id, a.id, '${id}', '${type}', '${status}', ${amount}, 0, 0, ${method ? `'${method}'` : 'null'}, now() - interval '${age}'
             from users u join accounts a on a.user_id = u.id where u.username = 'kpi'`,
        );
      await tx('t1', 'TOPUP', 'SUCCESS', 'GOPAY', '50000.00');
      await tx('t2', 'TOPUP', 'SUCCESS', 'GOPAY', '25000.50');
      await tx('t3', 'TOPUP', 'PENDING', 'SHOPEE_PAY', '20000.00');
      await tx('t4', 'REFUND', 'SUCCESS', null, '10000.00');
      await tx('old', 'TOPUP', 'SUCCESS', 'GOPAY', '99999.00', '1 hour');

      const registry = new Registry();
      registerBusinessMetrics(orm, registry);
      const text = await registry.metrics();
      const sample = (name: string, type: string, status: string, method: string) =>
        Number(text.match(new RegExp(`^${name}\\{type="${type}",status="${status}",payment_method="${method}"\\} (\\S+)$`, 'm'))?.[1]);
      expect(sample('business_transactions_recent', 'TOPUP', 'SUCCESS', 'GOPAY')).toBe(2);
      expect(sample('business_transaction_amount_idr_recent', 'TOPUP', 'SUCCESS', 'GOPAY')).toBe(75000.5);
      expect(sample('business_transactions_recent', 'TOPUP', 'PENDING', 'SHOPEE_PAY')).toBe(1);
      expect(sample('business_transactions_recent', 'REFUND', 'SUCCESS', 'NONE')).toBe(1);
      expect(sample('business_transaction_amount_idr_recent', 'REFUND', 'SUCCESS', 'NONE')).toBe(10000);
      expect(text.match(/^business_transactions_recent\{/gm)).toHaveLength(3);
    } finally {
      await orm.close(true);
      await admin.query(`drop database if exists ${dbName} with (force)`);
      await admin.end();
    }
  });
});
