import { Gauge, type Registry } from 'prom-client';
import type { Pool } from 'pg';
import type { Orm } from '../persistence/orm.ts';

/**
 * PostgreSQL connection pool usage on /metrics, read from the pg pool at scrape time:
 * db_pool_connections{state="total|idle|waiting"} and db_pool_max. Requests waiting for a
 * connection mean the pool (DATABASE_POOL_MAX) or the database is the bottleneck.
 */
export function registerPoolMetrics(orm: Orm, registry: Registry, max: number): void {
  let pool: Pool | undefined;
  const readPool = async (): Promise<Pool | undefined> => {
    pool ??= (await orm.em
      .getConnection()
      .getNativeClient()
      .catch(() => undefined)) as Pool | undefined;
    return pool;
  };
  new Gauge({
    name: 'db_pool_connections',
    help: 'PostgreSQL pool connections by state (total open, idle, requests waiting for one)',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const p = await readPool();
      if (!p) return;
      this.set({ state: 'total' }, p.totalCount);
      this.set({ state: 'idle' }, p.idleCount);
      this.set({ state: 'waiting' }, p.waitingCount);
    },
  });
  new Gauge({ name: 'db_pool_max', help: 'Largest size of the PostgreSQL pool (DATABASE_POOL_MAX)', registers: [registry] }).set(max);
}
