import type { Container } from 'inversify';
import type { ServiceModule } from '../shared/service-module.ts';
import type { Infrastructure } from '../shared/infrastructure.ts';
import { TOKENS } from '../shared/tokens.ts';
import type { AccessTokenVerifier } from '../../application/ports/access-token.ts';
import type { RateLimiter } from '../../domain/regulator/regulator.ports.ts';
import { RegulatorAuthenticator } from '../../application/regulator/regulator-authenticator.ts';
import { regulatorAdmin, type RegulatorAdmin } from '../../application/regulator/regulator-admin.ts';
import { transactionQueries, type TransactionQueries } from '../../application/transaction/transaction-queries.ts';
import { TransactionEventsConsumer } from '../../application/transaction/transaction-events.consumer.ts';
import { KeyValueHistoryCache } from '../../application/transaction/history-cache.ts';
import { PostgresRegulatorRepository } from '../../adapters/persistence/transaction/postgres-regulator.repository.ts';
import { PostgresTransactionReadRepository } from '../../adapters/persistence/transaction/postgres-transaction-read.repository.ts';
import { PostgresReportProjection } from '../../adapters/persistence/transaction/postgres-report-projection.ts';
import { BufferedPostgresAccessLogSink } from '../../adapters/persistence/transaction/postgres-access-log.ts';
import { RedisRateLimiter } from '../../adapters/redis/redis-rate-limiter.ts';
import { InMemoryRateLimiter } from '../../adapters/memory/in-memory-rate-limiter.ts';
import { mountTransactionRoutes } from '../../adapters/http/transaction/transaction.controller.ts';
import { describeLimits } from '../../domain/regulator/rate-limits.ts';
import type { AuditTrail } from '../../application/audit/audit-trail.ts';

export const TRANSACTION_TOKENS = {
  /** TransactionRuntime: the module's per-container state. */
  Runtime: Symbol.for('transaction.Runtime'),
} as const;

export interface TransactionRuntime {
  queries: TransactionQueries;
  regulators: RegulatorAuthenticator;
  admin: RegulatorAdmin;
  rateLimiter: RateLimiter;
  accessLog: BufferedPostgresAccessLogSink;
  projection: PostgresReportProjection;
  consumer: TransactionEventsConsumer;
  /** Set while the consumer is (re)trying to join its group in the background. */
  consumerStarting?: Promise<void>;
  stopped: boolean;
}

const runtimeOf = (c: Container) => c.get<TransactionRuntime>(TRANSACTION_TOKENS.Runtime);

/**
 * The transaction service: users' histories and reports, the regulator API (API keys, rate limits
 * in Redis — or in memory on the embedded default — and access logs), and the transaction-events
 * consumer that keeps the reports' read model.
 */
export const transactionModule: ServiceModule = {
  name: 'transaction',

  bind(container: Container, infra: Infrastructure) {
    const { orm, config, logger } = infra;
    const regulatorRepo = new PostgresRegulatorRepository(orm);
    // Rate limits are shared through Redis by every replica; only the embedded default counts in memory.
    const rateLimiter: RateLimiter = infra.redis ? new RedisRateLimiter(infra.redis) : new InMemoryRateLimiter();
    const cache = config.HISTORY_CACHE_TTL_SECONDS > 0 ? new KeyValueHistoryCache(infra.kv, config.HISTORY_CACHE_TTL_SECONDS) : null;
    const projection = new PostgresReportProjection(orm);
    const runtime: TransactionRuntime = {
      queries: transactionQueries(new PostgresTransactionReadRepository(orm), cache),
      regulators: new RegulatorAuthenticator(regulatorRepo, rateLimiter),
      admin: regulatorAdmin(regulatorRepo),
      rateLimiter,
      accessLog: new BufferedPostgresAccessLogSink(orm, logger.child({ component: 'access-log' })),
      projection,
      consumer: new TransactionEventsConsumer(infra.events, projection, cache, logger.child({ component: 'transaction-events' }), {
        groupId: config.KAFKA_CONSUMER_GROUP,
        topic: config.KAFKA_TOPIC_TRANSACTIONS,
      }),
      stopped: false,
    };
    container.bind(TRANSACTION_TOKENS.Runtime).toConstantValue(runtime);
  },

  routes(router, openapi, container) {
    const rt = runtimeOf(container);
    mountTransactionRoutes(router, openapi, {
      queries: rt.queries,
      regulators: rt.regulators,
      accessLog: rt.accessLog,
      audit: container.get<AuditTrail>(TOKENS.AuditTrail).log,
      accessTokens: container.get<AccessTokenVerifier>(TOKENS.AccessTokens),
    });
  },

  async start(container) {
    const rt = runtimeOf(container);
    const logger = container.get<Infrastructure>(TOKENS.Infrastructure).logger;
    // Joining the group waits for the broker; the HTTP API does not. Retry in the background until stopped.
    rt.consumerStarting = (async () => {
      for (let attempt = 1; !rt.stopped; attempt++) {
        try {
          await rt.consumer.start();
          // stop() ran while the group was being joined: leave it now.
          if (rt.stopped) await rt.consumer.stop();
          return;
        } catch (err) {
          logger.warn({ err: (err as Error).message, attempt }, 'transaction-events consumer could not start; retrying');
          await new Promise((r) => setTimeout(r, Math.min(attempt * 1000, 10_000)).unref());
        }
      }
    })();
  },

  async stop(container) {
    const rt = runtimeOf(container);
    rt.stopped = true;
    // Joining a consumer group takes seconds; shutdown does not wait for a join in progress (the
    // starter leaves the group itself once joined, and the bus closes its consumers anyway).
    await Promise.race([rt.consumerStarting, new Promise((r) => setTimeout(r, 100).unref())]);
    await rt.consumer.stop();
    // The HTTP server has stopped: every access-log entry is buffered by now; write them all.
    await rt.accessLog.close();
  },
};

export const DEMO_KEY_NAME = 'demo (embedded default)';

/**
 * The embedded default's regulator keys: Bank Indonesia and OJK (seeded by the migrations) get a
 * fresh key at every start, printed once; the previous start's demo keys are revoked. Nothing is
 * done outside the embedded default or with DEMO_SEED=false. Returns the lines to print.
 */
export async function ensureDemoRegulatorKeys(container: Container): Promise<string[]> {
  const infra = container.get<Infrastructure>(TOKENS.Infrastructure);
  if (!infra.config.embedded || infra.config.DEMO_SEED === false) return [];
  const admin = runtimeOf(container).admin;
  const lines = ['', 'Regulator API keys for this run (shown once; send them as X-API-Key):'];
  for (const company of ['Bank Indonesia', 'OJK']) {
    for (const k of await admin.listKeys.execute(company)) if (k.name === DEMO_KEY_NAME && !k.revokedAt) await admin.revokeKey.execute(k.id);
    const issued = await admin.issueKey.execute({ service: company, name: DEMO_KEY_NAME });
    lines.push(`  ${company.padEnd(15)} ${issued.key}  (${issued.apiKey.permissions.join(', ')}; ${describeLimits(issued.apiKey.rateLimits)})`);
  }
  return lines;
}
