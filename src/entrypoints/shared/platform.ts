import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Container } from 'inversify';
import type { Logger } from 'pino';
import { createHttpApp } from '../../adapters/http/app.ts';
import type { OpenApiRegistry } from '../../adapters/http/openapi.ts';
import { createLogger } from '../../adapters/http/logger.ts';
import { registerPoolMetrics } from '../../adapters/observability/pool-metrics.ts';
import { registerBusinessMetrics } from '../../adapters/observability/business-metrics.ts';
import { registerRiskMetrics } from '../../adapters/observability/risk-metrics.ts';
import { registerReconciliationMetrics } from '../../adapters/observability/reconciliation-metrics.ts';
import { registerPayoutMetrics } from '../../adapters/observability/payout-metrics.ts';
import type { OutboxRelay } from '../../adapters/persistence/outbox-relay.ts';
import { loadConfig, type Config } from './config.ts';
import { infrastructureOf, type Infrastructure } from './infrastructure.ts';
import type { ServiceModule } from './service-module.ts';
import { SchemaGate } from './schema-gate.ts';
import { CORE } from '../composition/ids.ts';
import { adapterGroups, createContainer, openConnections, startWorkers, stopWorkers } from '../composition/container.ts';
import { metricsModule } from '../composition/metrics.module.ts';

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

/** Builds and starts one deployment: its container (adapter groups, then its services' modules), one HTTP server. */
export async function startPlatform(opts: StartOptions): Promise<RunningPlatform> {
  const config = opts.config ?? loadConfig();
  const service = config.SERVICE_NAME ?? opts.service;
  const logger = opts.logger ?? createLogger(service, config.LOG_LEVEL);
  const container = createContainer({ config, logger, service }, [
    ...adapterGroups(config, { kind: 'server', migrate: opts.migrate ?? false }),
    metricsModule(),
    ...opts.modules.flatMap((m) => m.modules ?? []),
  ]);
  const infra = infrastructureOf(container, await openConnections(container));
  // Never serve a database whose schema is not this code's: checked before anything touches it.
  const schema = new SchemaGate(infra.orm, logger);
  const schemaCurrent = await schema.check();
  const audit = container.get(CORE.AuditTrail);
  const metrics = container.get(CORE.Metrics);

  let draining = false;
  const { app, openapi } = createHttpApp({
    service,
    metrics,
    allowedOrigins: config.ALLOWED_ORIGINS,
    logger,
    readiness: infra.readiness,
    draining: () => draining,
    trustedProxies: config.TRUSTED_PROXIES.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    refusal: () => schema.refusal(),
    trustedProxyHops: config.TRUSTED_PROXY_HOPS,
    securityEvents: (e) => audit.recordQuietly(e),
    mount: (router, openapi) => {
      for (const m of opts.modules) m.routes(router, openapi, container);
    },
  });

  const server = createServer(
    {
      requestTimeout: config.HTTP_REQUEST_TIMEOUT_MS,
      headersTimeout: Math.min(10_000, config.HTTP_REQUEST_TIMEOUT_MS),
      keepAliveTimeout: config.HTTP_KEEPALIVE_TIMEOUT_MS,
    },
    app.callback(),
  );
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.HOST, () => resolve());
  });
  const outboxRelay = container.get(CORE.OutboxRelay);
  registerPoolMetrics(infra.orm, metrics.registry, config.DATABASE_POOL_MAX);
  registerBusinessMetrics(infra.orm, metrics.registry);
  if (opts.modules.some((m) => m.name === 'payment')) registerReconciliationMetrics(infra.orm, metrics.registry);
  if (opts.modules.some((m) => m.name === 'payment')) registerPayoutMetrics(infra.orm, metrics.registry);
  if (opts.modules.some((m) => m.name === 'payment')) registerRiskMetrics(infra.orm, metrics.registry);
  // The workers (relay, consumers, reconcilers, sandboxes) start once the schema is current; so
  // does the audit event of the signer's key, which needs the audit tables.
  let workers: Promise<void> | undefined;
  const start = () => (workers ??= startWorkers(container));
  if (schemaCurrent) {
    await start();
    schema.open();
  } else schema.waitUntilCurrent(start);
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
        await stopWorkers(container, logger);
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
