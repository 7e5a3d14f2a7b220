import { Gauge, type Registry } from 'prom-client';
import type { Orm } from '../persistence/orm.ts';

const CACHE_MS = 10_000;

interface Row {
  n: number;
  oldest: number | null;
  checks: number | null;
}

/**
 * Merchant payouts still PENDING (the bank's answer unknown, the money out of the merchant's
 * account), read from merchant_payouts at scrape time, whichever replica or CLI made them: how
 * many, how old the oldest is, and the most checks one has had. Always a sample (0 when none), so
 * the alert PayoutsPendingTooLong needs no absent(). Every replica reports the same: take max().
 */
export function registerPayoutMetrics(orm: Orm, registry: Registry): void {
  let cached: { at: number; row: Promise<Row> } | undefined;
  const read = (): Promise<Row> => {
    if (!cached || Date.now() - cached.at > CACHE_MS) {
      const row = orm.em
        .getConnection()
        .execute(
          `select count(*)::int as n, extract(epoch from now() - min(created_at))::float8 as oldest, max(checks)::int as checks
             from merchant_payouts where status = 'PENDING'`,
        )
        .then((r) => (r as Row[])[0] ?? { n: 0, oldest: null, checks: null });
      cached = { at: Date.now(), row };
      row.catch(() => (cached = undefined));
    }
    return cached.row;
  };
  const gauges: { name: string; help: string; value: (r: Row) => number }[] = [
    { name: 'payouts_pending', help: 'Merchant payouts whose bank outcome is still unknown (PENDING)', value: (r) => r.n },
    {
      name: 'payouts_oldest_pending_age_seconds',
      help: 'Age of the oldest PENDING merchant payout in seconds (0 when none)',
      value: (r) => Number(r.oldest ?? 0),
    },
    { name: 'payouts_pending_checks_max', help: 'The most bank status checks one PENDING payout has had (0 when none)', value: (r) => r.checks ?? 0 },
  ];
  for (const g of gauges) {
    new Gauge({
      name: g.name,
      help: g.help,
      registers: [registry],
      async collect() {
        const r = await read().catch(() => undefined);
        this.reset();
        if (r) this.set(g.value(r));
      },
    });
  }
}
