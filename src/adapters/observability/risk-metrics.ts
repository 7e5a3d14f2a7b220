import { Gauge, type Registry } from 'prom-client';
import type { Orm } from '../persistence/orm.ts';

const WINDOW_MINUTES = 5;
const CACHE_MS = 10_000;

interface Data {
  evaluations: { outcome: string; n: number }[];
  hits: { rule: string; outcome: string; n: number }[];
  pending: number;
}

/**
 * The fraud rules' metrics, read from their tables at scrape time (whichever replica evaluated):
 * holds and blocks of the last 5 minutes, by outcome and by rule, and the held movements waiting
 * for an operator. Every payment replica reports the same numbers: aggregate with max().
 */
export function registerRiskMetrics(orm: Orm, registry: Registry): void {
  let cached: { at: number; data: Promise<Data> } | undefined;
  const read = (): Promise<Data> => {
    if (!cached || Date.now() - cached.at > CACHE_MS) {
      const conn = orm.em.getConnection();
      const since = `created_at >= now() - interval '${WINDOW_MINUTES} minutes'`;
      const data = Promise.all([
        conn.execute(`select outcome, count(*)::int as n from risk_evaluations where ${since} group by 1`) as Promise<Data['evaluations']>,
        conn.execute(`select rule, outcome, count(*)::int as n from risk_evaluations, unnest(rules) as rule where ${since} group by 1, 2`) as Promise<
          Data['hits']
        >,
        conn.execute(`select count(*)::int as n from risk_cases where status = 'PENDING'`) as Promise<{ n: number }[]>,
      ]).then(([evaluations, hits, pending]) => ({ evaluations, hits, pending: pending[0]?.n ?? 0 }));
      cached = { at: Date.now(), data };
      data.catch(() => (cached = undefined));
    }
    return cached.data.catch(() => ({ evaluations: [], hits: [], pending: 0 }));
  };
  new Gauge({
    name: 'risk_evaluations_recent',
    help: `Movements the fraud rules held (REVIEW) or refused (BLOCK) in the last ${WINDOW_MINUTES} minutes`,
    labelNames: ['outcome'] as const,
    registers: [registry],
    async collect() {
      const d = await read();
      this.reset();
      for (const o of ['REVIEW', 'BLOCK']) this.set({ outcome: o }, d.evaluations.find((e) => e.outcome === o)?.n ?? 0);
    },
  });
  new Gauge({
    name: 'risk_rule_hits_recent',
    help: `Fraud rule hits of the last ${WINDOW_MINUTES} minutes by rule and outcome (one evaluation may hit several rules)`,
    labelNames: ['rule', 'outcome'] as const,
    registers: [registry],
    async collect() {
      const d = await read();
      this.reset();
      for (const h of d.hits) this.set({ rule: h.rule, outcome: h.outcome }, h.n);
    },
  });
  new Gauge({
    name: 'risk_cases_pending',
    help: 'Movements held by the fraud rules waiting for an operator (npm run admin -- risk cases list)',
    registers: [registry],
    async collect() {
      this.set((await read()).pending);
    },
  });
}
