import { ContainerModule, type Container } from 'inversify';
import type { ServiceModule } from '../shared/service-module.ts';
import { CORE, id } from '../composition/ids.ts';
import { REGULATOR, regulatorBindings } from '../regulator/regulator.module.ts';
import { transactionQueries, type TransactionQueries } from '../../application/transaction/transaction-queries.ts';
import { TransactionEventsConsumer } from '../../application/transaction/transaction-events.consumer.ts';
import { KeyValueHistoryCache } from '../../application/transaction/history-cache.ts';
import { PostgresTransactionReadRepository } from '../../adapters/persistence/transaction/postgres-transaction-read.repository.ts';
import { PostgresReportProjection } from '../../adapters/persistence/transaction/postgres-report-projection.ts';
import { mountTransactionRoutes } from '../../adapters/http/transaction/transaction.controller.ts';
import { describeLimits } from '../../domain/regulator/rate-limits.ts';

/** Container keys of the transaction context. */
export const TRANSACTION = {
  /** Null when HISTORY_CACHE_TTL_SECONDS is 0. */
  HistoryCache: id<KeyValueHistoryCache | null>('transaction.HistoryCache'),
  Queries: id<TransactionQueries>('transaction.Queries'),
  Projection: id<PostgresReportProjection>('transaction.Projection'),
  Consumer: id<TransactionEventsConsumer>('transaction.Consumer'),
} as const;

/**
 * The transaction context: users' histories and reports, and the transaction-events consumer that
 * keeps the reports' read model (a worker that joins its group in the background).
 */
export const transactionBindings = new ContainerModule(({ bind }) => {
  bind(TRANSACTION.HistoryCache).toDynamicValue((c) => {
    const ttl = c.get(CORE.Config).HISTORY_CACHE_TTL_SECONDS;
    return ttl > 0 ? new KeyValueHistoryCache(c.get(CORE.KeyValueStore), ttl) : null;
  });
  bind(TRANSACTION.Queries).toDynamicValue((c) => transactionQueries(new PostgresTransactionReadRepository(c.get(CORE.Orm)), c.get(TRANSACTION.HistoryCache)));
  bind(TRANSACTION.Projection).toDynamicValue((c) => new PostgresReportProjection(c.get(CORE.Orm)));
  bind(TRANSACTION.Consumer).toDynamicValue((c) => {
    const config = c.get(CORE.Config);
    return new TransactionEventsConsumer(
      c.get(CORE.EventBus),
      c.get(TRANSACTION.Projection),
      c.get(TRANSACTION.HistoryCache),
      c.get(CORE.Logger).child({ component: 'transaction-events' }),
      {
        groupId: config.KAFKA_CONSUMER_GROUP,
        topic: config.KAFKA_TOPIC_TRANSACTIONS,
      },
    );
  });
  bind(CORE.Workers).toDynamicValue((c) => {
    const consumer = c.get(TRANSACTION.Consumer);
    const logger = c.get(CORE.Logger);
    let stopped = false;
    /** Set while the consumer is (re)trying to join its group in the background. */
    let starting: Promise<void> | undefined;
    return {
      name: 'transaction-events consumer',
      start() {
        // Joining the group waits for the broker; the HTTP API does not. Retry in the background until stopped.
        starting = (async () => {
          for (let attempt = 1; !stopped; attempt++) {
            try {
              await consumer.start();
              // stop() ran while the group was being joined: leave it now.
              if (stopped) await consumer.stop();
              return;
            } catch (err) {
              logger.warn({ err: (err as Error).message, attempt }, 'transaction-events consumer could not start; retrying');
              await new Promise((r) => setTimeout(r, Math.min(attempt * 1000, 10_000)).unref());
            }
          }
        })();
      },
      async stop() {
        stopped = true;
        // Joining a consumer group takes seconds; shutdown does not wait for a join in progress (the
        // starter leaves the group itself once joined, and the bus closes its consumers anyway).
        await Promise.race([starting, new Promise((r) => setTimeout(r, 100).unref())]);
        await consumer.stop();
      },
    };
  });
});

/**
 * The transaction service: the transaction context (histories, reports, the events consumer) and
 * the regulator context whose API it serves (API keys, rate limits, access logs).
 */
export const transactionModule: ServiceModule = {
  name: 'transaction',
  modules: [regulatorBindings, transactionBindings],
  routes(router, openapi, container) {
    mountTransactionRoutes(router, openapi, {
      queries: container.get(TRANSACTION.Queries),
      regulators: container.get(REGULATOR.Authenticator),
      accessLog: container.get(REGULATOR.AccessLog),
      audit: container.get(CORE.AuditTrail).log,
      accessTokens: container.get(CORE.AccessTokens),
    });
  },
};

export const DEMO_KEY_NAME = 'demo (embedded default)';

/**
 * The embedded default's regulator keys: Bank Indonesia and OJK (seeded by the migrations) get a
 * fresh key at every start, printed once; the previous start's demo keys are revoked. Nothing is
 * done outside the embedded default or with DEMO_SEED=false. Returns the lines to print.
 */
export async function ensureDemoRegulatorKeys(container: Container): Promise<string[]> {
  const config = container.get(CORE.Config);
  if (!config.embedded || config.DEMO_SEED === false) return [];
  const admin = container.get(REGULATOR.Admin);
  const lines = ['', 'Regulator API keys for this run (shown once; send them as X-API-Key):'];
  for (const company of ['Bank Indonesia', 'OJK']) {
    for (const k of await admin.listKeys.execute(company)) if (k.name === DEMO_KEY_NAME && !k.revokedAt) await admin.revokeKey.execute(k.id);
    const issued = await admin.issueKey.execute({ service: company, name: DEMO_KEY_NAME });
    lines.push(`  ${company.padEnd(15)} ${issued.key}  (${issued.apiKey.permissions.join(', ')}; ${describeLimits(issued.apiKey.rateLimits)})`);
  }
  return lines;
}
