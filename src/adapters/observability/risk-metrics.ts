import { Gauge, type Registry } from 'prom-client';
import type { Orm } from '../persistence/orm.ts';
import { kysely } from '../persistence/kysely.ts';
import { countInt, minutesAgo } from '../persistence/kysely-functions.ts';

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
      const k = kysely(orm.em.fork());
      const recent = k.selectFrom('risk_evaluations').where('created_at', '>=', (eb) => minutesAgo(eb, WINDOW_MINUTES));
      const data = Promise.all([
        recent
          .select((eb) => ['outcome', countInt(eb).as('n')])
          .groupBy('outcome')
          .execute(),
        // One row per rule an evaluation hit (unnest in a subquery: a set-returning function cannot be grouped by directly).
        k
          .selectFrom(recent.select((eb) => [eb.fn<string>('unnest', [eb.ref('rules')]).as('rule'), 'outcome']).as('hit'))
          .select((eb) => ['hit.rule', 'hit.outcome', countInt(eb).as('n')])
          .groupBy(['hit.rule', 'hit.outcome'])
          .execute(),
        k
          .selectFrom('risk_cases')
          .select((eb) => countInt(eb).as('n'))
          .where('status', '=', 'PENDING')
          .execute(),
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
