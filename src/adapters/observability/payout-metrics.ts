import { Gauge, type Registry } from 'prom-client';
import type { Orm } from '../persistence/orm.ts';
import { kysely } from '../persistence/kysely.ts';
import { countInt, secondsSince } from '../persistence/kysely-functions.ts';

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
      const row: Promise<Row> = kysely(orm.em.fork())
        .selectFrom('merchant_payouts')
        .select((eb) => [
          countInt(eb).as('n'),
          secondsSince(eb, eb.fn.min('created_at')).as('oldest'),
          eb.cast<number | null>(eb.fn.max('checks'), 'integer').as('checks'),
        ])
        .where('status', '=', 'PENDING')
        .executeTakeFirst()
        .then((r) => r ?? { n: 0, oldest: null, checks: null });
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
