import { Gauge, type Registry } from 'prom-client';
import type { Orm } from '../persistence/orm.ts';
import { kysely } from '../persistence/kysely.ts';
import { countInt, epochSeconds } from '../persistence/kysely-functions.ts';

const CACHE_MS = 10_000;

interface LastRunRow {
  provider: string;
  statement_date: string;
  at: number;
  matched: number;
  missing_ours: number;
  missing_provider: number;
  amount_mismatch: number;
  status_mismatch: number;
}
interface OpenRow {
  provider: string;
  kind: string;
  n: number;
}

/**
 * Reconciliation metrics read from its tables at scrape time (whichever replica or the CLI ran
 * it): per provider, the latest run's time and counts by outcome, and the open cases by kind.
 * Every payment replica reports the same numbers; dashboards and alerts aggregate with max().
 */
export function registerReconciliationMetrics(orm: Orm, registry: Registry): void {
  let cached: { at: number; data: Promise<{ last: LastRunRow[]; open: OpenRow[] }> } | undefined;
  const read = () => {
    if (!cached || Date.now() - cached.at > CACHE_MS) {
      const k = kysely(orm.em.fork());
      const data = Promise.all([
        k
          .selectFrom('reconciliation_runs')
          .distinctOn('provider')
          // statement_date comes back as YYYY-MM-DD text (the driver leaves dates as text).
          .select((eb) => [
            'provider',
            'statement_date',
            epochSeconds(eb, eb.ref('finished_at')).as('at'),
            'matched',
            'missing_ours',
            'missing_provider',
            'amount_mismatch',
            'status_mismatch',
          ])
          .orderBy('provider')
          .orderBy('finished_at', 'desc')
          .orderBy('id', 'desc')
          .execute() as Promise<LastRunRow[]>,
        k
          .selectFrom('reconciliation_cases')
          .select((eb) => ['provider', 'kind', countInt(eb).as('n')])
          .where('case_status', '=', 'OPEN')
          .groupBy(['provider', 'kind'])
          .execute() as Promise<OpenRow[]>,
      ]).then(([last, open]) => ({ last, open }));
      cached = { at: Date.now(), data };
      data.catch(() => (cached = undefined));
    }
    return cached.data.catch(() => ({ last: [], open: [] }));
  };
  new Gauge({
    name: 'reconciliation_last_run_timestamp_seconds',
    help: 'When the latest reconciliation run of each provider finished (unix seconds)',
    labelNames: ['provider'] as const,
    registers: [registry],
    async collect() {
      const { last } = await read();
      this.reset();
      for (const r of last) this.set({ provider: r.provider }, r.at);
    },
  });
  new Gauge({
    name: 'reconciliation_last_run_lines',
    help: 'Outcome counts of the latest reconciliation run of each provider: matched, missing_ours, missing_provider, amount_mismatch, status_mismatch',
    labelNames: ['provider', 'outcome', 'statement_date'] as const,
    registers: [registry],
    async collect() {
      const { last } = await read();
      this.reset();
      for (const r of last) {
        for (const outcome of ['matched', 'missing_ours', 'missing_provider', 'amount_mismatch', 'status_mismatch'] as const) {
          this.set({ provider: r.provider, outcome, statement_date: r.statement_date }, r[outcome]);
        }
      }
    },
  });
  new Gauge({
    name: 'reconciliation_open_cases',
    help: 'Reconciliation cases waiting for an operator, by provider and kind',
    labelNames: ['provider', 'kind'] as const,
    registers: [registry],
    async collect() {
      const { open } = await read();
      this.reset();
      for (const r of open) this.set({ provider: r.provider, kind: r.kind }, r.n);
    },
  });
}
