import { Gauge, type Registry } from 'prom-client';
import type { Orm } from '../persistence/orm.ts';
import { kysely } from '../persistence/kysely.ts';
import { countInt, minutesAgo } from '../persistence/kysely-functions.ts';
import { PAYMENT_METHODS } from '../../domain/ledger/transaction.ts';

const WINDOW_MINUTES = 5;
const CACHE_MS = 10_000;

interface Row {
  type: string;
  status: string;
  method: string;
  n: number;
  /** The sum as numeric text (not named amount: the schema's Money type would take it, and Money refuses nothing here but is no number). */
  total: string;
}

/**
 * Business KPIs read from the ledger itself at scrape time, so they count what really happened
 * whichever deployment, webhook or reconciler moved a transaction: transactions created in the
 * last 5 minutes by type (TOPUP, PAYMENT, REFUND, TRANSFER), current status and payment method,
 * and their amounts in IDR. One indexed query (created_at) per scrape at most every 10 s; every
 * deployment reports the same global numbers, so dashboards aggregate them with max().
 * Prometheus samples are floats: the amounts are for charts only, never for money.
 */
export function registerBusinessMetrics(orm: Orm, registry: Registry): void {
  let cached: { at: number; rows: Promise<Row[]> } | undefined;
  const read = (): Promise<Row[]> => {
    if (!cached || Date.now() - cached.at > CACHE_MS) {
      const rows: Promise<Row[]> = kysely(orm.em.fork())
        .selectFrom('historical_transactions')
        .select((eb) => [
          eb.ref('transaction_type').as('type'),
          eb.ref('transaction_status').as('status'),
          eb.fn.coalesce(eb.cast<string>('payment_method', 'text'), eb.val('NONE')).as('method'),
          countInt(eb).as('n'),
          eb.cast<string>(eb.fn.coalesce(eb.fn.sum('amount'), eb.lit(0)), 'text').as('total'),
        ])
        .where('created_at', '>=', (eb) => minutesAgo(eb, WINDOW_MINUTES))
        .groupBy(['transaction_type', 'transaction_status', 'payment_method'])
        .execute();
      cached = { at: Date.now(), rows };
      rows.catch(() => (cached = undefined));
    }
    return cached.rows;
  };
  const labelNames = ['type', 'status', 'payment_method'] as const;
  const fill = async (gauge: Gauge<(typeof labelNames)[number]>, value: (r: Row) => number) => {
    const rows = await read().catch(() => undefined);
    gauge.reset();
    for (const r of rows ?? []) gauge.set({ type: r.type, status: r.status, payment_method: r.method }, value(r));
  };
  new Gauge({
    name: 'business_transactions_recent',
    help: `Transactions created in the last ${WINDOW_MINUTES} minutes by type, current status and payment method`,
    labelNames,
    registers: [registry],
    async collect() {
      await fill(this, (r) => r.n);
    },
  });
  new Gauge({
    name: 'business_transaction_amount_idr_recent',
    help: `Sum of the amounts (IDR) of the transactions created in the last ${WINDOW_MINUTES} minutes by type, current status and payment method`,
    labelNames,
    registers: [registry],
    async collect() {
      await fill(this, (r) => Number(r.total));
    },
  });
  registerDiscrepancyMetric(orm, registry);
}

/**
 * Open provider discrepancy cases (a provider's SUCCESS after we recorded FAILED and released the
 * money: the amount exists twice until an operator runs `discrepancies settle`). Read from the
 * table at scrape time (every replica reports the same global number); alert ProviderDiscrepancyOpen.
 */
function registerDiscrepancyMetric(orm: Orm, registry: Registry): void {
  let cached: { at: number; rows: Promise<{ method: string; kind: string; n: number }[]> } | undefined;
  new Gauge({
    name: 'payment_provider_discrepancies_open',
    help: 'Open provider discrepancy cases (provider SUCCESS after our FAILED) by payment method and kind; settle with `admin discrepancies settle`',
    labelNames: ['payment_method', 'kind'],
    registers: [registry],
    async collect() {
      if (!cached || Date.now() - cached.at > CACHE_MS) {
        const rows: Promise<{ method: string; kind: string; n: number }[]> = kysely(orm.em.fork())
          .selectFrom('provider_discrepancies')
          .select((eb) => [eb.ref('payment_method').as('method'), 'kind', countInt(eb).as('n')])
          .where('status', '=', 'OPEN')
          .groupBy(['payment_method', 'kind'])
          .execute();
        cached = { at: Date.now(), rows };
        rows.catch(() => (cached = undefined));
      }
      const rows = await cached.rows.catch(() => undefined);
      this.reset();
      // Always a sample per method, so "no open case" is 0 rather than absent (the alert needs no absent()).
      for (const method of PAYMENT_METHODS) this.set({ payment_method: method, kind: 'SUCCESS_AFTER_FAILED' }, 0);
      for (const r of rows ?? []) this.set({ payment_method: r.method, kind: r.kind }, r.n);
    },
  });
}
