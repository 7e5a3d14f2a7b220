import { Gauge, type Registry } from 'prom-client';
import type { Orm } from '../persistence/orm.ts';
import { PAYMENT_METHODS } from '../../domain/ledger/transaction.ts';

const WINDOW_MINUTES = 5;
const CACHE_MS = 10_000;

interface Row {
  type: string;
  status: string;
  method: string;
  n: number;
  amount: string;
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
      const rows = orm.em
        .getConnection()
        .execute(
          `select transaction_type::text as type, transaction_status::text as status, coalesce(payment_method::text, 'NONE') as method,
                  count(*)::int as n, coalesce(sum(amount), 0)::text as amount
             from historical_transactions
            where created_at >= now() - interval '${WINDOW_MINUTES} minutes'
            group by 1, 2, 3`,
        )
        .then((r) => r as Row[]);
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
      await fill(this, (r) => Number(r.amount));
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
        const rows = orm.em
          .getConnection()
          .execute(`select payment_method::text as method, kind, count(*)::int as n from provider_discrepancies where status = 'OPEN' group by 1, 2`)
          .then((r) => r as { method: string; kind: string; n: number }[]);
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
