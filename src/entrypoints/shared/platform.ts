import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Container } from 'inversify';
import type { Logger } from 'pino';
import { createHttpApp } from '../../adapters/http/app.ts';
import type { OpenApiRegistry } from '../../adapters/http/openapi.ts';
import { createLogger } from '../../adapters/http/logger.ts';
import { registerPoolMetrics } from '../../adapters/observability/pool-metrics.ts';
import { registerBusinessMetrics } from '../../adapters/observability/business-metrics.ts';
import { registerRiskMetrics } from '../../adapters/observability/risk-metrics.ts';
import { registerReconciliationMetrics } from '../../adapters/observability/reconciliation-metrics.ts';
import { registerPayoutMetrics } from '../../adapters/observability/payout-metrics.ts';
import { idempotencyLeaseSeconds, loadConfig, type Config } from './config.ts';
import { createInfrastructure, type Infrastructure } from './infrastructure.ts';
import type { ServiceModule } from './service-module.ts';
import { TOKENS } from './tokens.ts';
import { loadJwtKeys } from '../../adapters/security/jwt-keys.ts';
import { JwtAccessTokenService } from '../../adapters/security/jwt-access-token.service.ts';
import { PostgresUserRepository } from '../../adapters/persistence/identity/postgres-user.repository.ts';
import type { CurrentRoles } from '../../application/ports/current-roles.ts';
import { PostgresIdempotencyStore } from '../../adapters/persistence/idempotency/postgres-idempotency.store.ts';
import { OutboxRelay } from '../../adapters/persistence/outbox-relay.ts';
import { SchemaGate } from './schema-gate.ts';
import { registerAuditMetrics, type AuditMetrics } from '../../adapters/observability/audit-metrics.ts';
import { createAuditTrail, recordSignerKey } from './audit.ts';

export interface RunningPlatform {
  url: string;
  port: number;
  server: Server;
  container: Container;
  infra: Infrastructure;
  outboxRelay: OutboxRelay;
  /** The routes the server mounted, as documented at /openapi.json. */
  openapi: OpenApiRegistry;
  /** Graceful stop: refuse new connections, finish in-flight requests, stop workers, close pools. */
  stop(): Promise<void>;
}

export interface StartOptions {
  service: string;
  modules: ServiceModule[];
  config?: Config;
  logger?: Logger;
  migrate?: boolean;
  /** Runs last on stop, after the infrastructure closed (the entrypoint flushes its traces here). */
  onStopped?: () => Promise<void>;
}

/** Builds and starts one deployment: its infrastructure, its modules, one HTTP server. */
export async function startPlatform(opts: StartOptions): Promise<RunningPlatform> {
  const config = opts.config ?? loadConfig();
  const service = config.SERVICE_NAME ?? opts.service;
  const logger = opts.logger ?? createLogger(service, config.LOG_LEVEL);
  const infra = await createInfrastructure(config, logger, { migrate: opts.migrate ?? false });
  // Never serve a database whose schema is not this code's: checked before anything touches it.
  const schema = new SchemaGate(infra.orm, logger);
  const schemaCurrent = await schema.check();

  const container = new Container();
  container.bind(TOKENS.Infrastructure).toConstantValue(infra);
  container.bind(TOKENS.Config).toConstantValue(config);
  container.bind(TOKENS.Logger).toConstantValue(logger);
  container.bind(TOKENS.Orm).toConstantValue(infra.orm);
  container.bind(TOKENS.KeyValueStore).toConstantValue(infra.kv);
  container.bind(TOKENS.EventBus).toConstantValue(infra.events);
  // The metrics registry comes with the HTTP app, below: the trail's hooks find it once it exists.
  const auditMetrics: { current?: AuditMetrics } = {};
  const audit = createAuditTrail(infra.orm, config, { logger, metrics: { recorded: (e) => auditMetrics.current?.recorded(e), failed: (e) => auditMetrics.current?.failed(e) } });
  container.bind(TOKENS.AuditTrail).toConstantValue(audit);
  const jwtKeys = loadJwtKeys(config);
  const accessTokens = new JwtAccessTokenService(
    jwtKeys,
    { issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE, ttlSeconds: config.ACCESS_TOKEN_TTL_SECONDS, jwksUrl: config.JWKS_URL },
    infra.kv,
  );
  container.bind(TOKENS.AccessTokens).toConstantValue(accessTokens);
  const users = new PostgresUserRepository(infra.orm, { topic: config.KAFKA_TOPIC_USERS });
  container.bind<CurrentRoles>(TOKENS.CurrentRoles).toConstantValue({ roleOf: async (userId) => (await users.findById(userId))?.role ?? null });
  container.bind(TOKENS.IdempotencyStore).toConstantValue(new PostgresIdempotencyStore(infra.orm, { leaseSeconds: idempotencyLeaseSeconds(config), retentionSeconds: 24 * 3600 }));
  for (const m of opts.modules) m.bind(container, infra);

  let draining = false;
  const { app, metrics, openapi } = createHttpApp({
    service,
    allowedOrigins: config.ALLOWED_ORIGINS,
    logger,
    readiness: infra.readiness,
    draining: () => draining,
    trustedProxies: config.TRUSTED_PROXIES.split(',').map((s) => s.trim()).filter(Boolean),
    refusal: () => schema.refusal(),
    trustedProxyHops: config.TRUSTED_PROXY_HOPS,
    securityEvents: (e) => audit.recordQuietly(e),
    mount: (router, openapi) => {
      for (const m of opts.modules) m.routes(router, openapi, container);
    },
  });

  const server = createServer({ requestTimeout: config.HTTP_REQUEST_TIMEOUT_MS, headersTimeout: Math.min(10_000, config.HTTP_REQUEST_TIMEOUT_MS), keepAliveTimeout: config.HTTP_KEEPALIVE_TIMEOUT_MS }, app.callback());
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.HOST, () => resolve());
  });
  // Every deployment runs a relay; a fenced lease lets one publish at a time (outbox-relay.ts).
  const outboxRelay = new OutboxRelay(infra.orm, infra.events, logger, { registry: metrics.registry, leaseMs: config.OUTBOX_RELAY_LEASE_MS });
  container.bind(TOKENS.OutboxRelay).toConstantValue(outboxRelay);
  registerPoolMetrics(infra.orm, metrics.registry, config.DATABASE_POOL_MAX);
  registerBusinessMetrics(infra.orm, metrics.registry);
  if (opts.modules.some((m) => m.name === 'payment')) registerReconciliationMetrics(infra.orm, metrics.registry);
  if (opts.modules.some((m) => m.name === 'payment')) registerPayoutMetrics(infra.orm, metrics.registry);
  if (opts.modules.some((m) => m.name === 'payment')) registerRiskMetrics(infra.orm, metrics.registry);
  auditMetrics.current = registerAuditMetrics(metrics.registry, infra.orm);
  // The workers (relay, consumers, reconcilers, sandboxes) start once the schema is current; so
  // does the audit event of the signer's key, which needs the audit tables.
  let workers: Promise<void> | undefined;
  const startWorkers = () =>
    (workers ??= (async () => {
      if (jwtKeys.signing) await recordSignerKey(audit, jwtKeys.signing.kid, service);
      outboxRelay.start();
      for (const m of opts.modules) await m.start?.(container);
    })());
  if (schemaCurrent) {
    await startWorkers();
    schema.open();
  } else schema.waitUntilCurrent(startWorkers);
  const port = (server.address() as AddressInfo).port;
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST;

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      draining = true;
      logger.info('shutting down: refusing new connections, finishing in-flight requests');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive sockets go as soon as they are idle (responses while draining say Connection: close),
      // rather than holding the shutdown for their keep-alive timeout.
      server.closeIdleConnections();
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      const grace = setTimeout(() => {
        for (const s of sockets) s.destroy();
      }, config.SHUTDOWN_GRACE_MS);
      grace.unref();
      await closed;
      clearInterval(sweep);
      clearTimeout(grace);
      schema.stop();
      if (workers) {
        await workers.catch(() => {});
        for (const m of [...opts.modules].reverse()) await m.stop?.(container).catch((err) => logger.warn({ err }, `error stopping ${m.name}`));
        await outboxRelay.stop();
      }
      await infra.close();
      await opts.onStopped?.().catch((err) => logger.warn({ err }, 'error in onStopped'));
      logger.info('stopped');
      logger.flush?.();
    })());

  return { url: `http://${host}:${port}`, port, server, container, infra, outboxRelay, openapi, stop };
}

/** Runs a deployment as a process: starts it, logs where it listens, stops gracefully on SIGTERM/SIGINT. */
export async function runMain(opts: StartOptions, afterStart?: (p: RunningPlatform) => Promise<void>): Promise<void> {
  let platform: RunningPlatform;
  try {
    platform = await startPlatform(opts);
  } catch (err) {
    console.error(`${opts.service}: failed to start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
  // Signals are handled from the moment the server listens, before anything announces it.
  const onSignal = (signal: string) => {
    platform.infra.logger.info({ signal }, 'signal received');
    platform.stop().then(
      () => process.exit(0),
      (err) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  process.once('SIGINT', () => onSignal('SIGINT'));
  platform.infra.logger.info({ url: platform.url }, `${opts.service} listening on ${platform.url}`);
  if (afterStart) await afterStart(platform);
}
