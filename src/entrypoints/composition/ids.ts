import type { ServiceIdentifier } from 'inversify';
import type { Logger } from 'pino';
import type { Redis } from 'ioredis';
import type { Config } from '../shared/config.ts';
import type { Orm } from '../../adapters/persistence/orm.ts';
import type { HttpMetrics } from '../../adapters/http/metrics.ts';
import type { AuditMetrics } from '../../adapters/observability/audit-metrics.ts';
import type { JwtKeys } from '../../adapters/security/jwt-keys.ts';
import type { JwtAccessTokenService } from '../../adapters/security/jwt-access-token.service.ts';
import type { OutboxRelay } from '../../adapters/persistence/outbox-relay.ts';
import type { EventBus } from '../../application/ports/event-bus.ts';
import type { KeyValueStore } from '../../application/ports/key-value-store.ts';
import type { ReadinessCheck } from '../../application/ports/readiness.ts';
import type { CurrentRoles } from '../../application/ports/current-roles.ts';
import type { IdempotencyStore } from '../../application/ports/idempotency.ts';
import type { PasswordHasher } from '../../application/ports/password-hasher.ts';
import type { RateLimiter } from '../../domain/regulator/regulator.ports.ts';
import type { AuditTrail } from '../../application/audit/audit-trail.ts';
import type { EWalletProviders, EWalletWebhookVerifiers } from '../../application/payment/shared/ewallet-providers.ts';
import type { EWalletAdapters, Sandboxes } from '../../adapters/ewallet/index.ts';

/**
 * A container key that carries the type it resolves to: `container.get(ID)` and, inside a
 * binding, `ctx.get(ID)` are typed by the key, so a binding that no longer fits its consumer is a
 * compile error. (Inversify's own `ServiceIdentifier<T>` accepts any symbol for any T.)
 */
export type Id<T> = symbol & { readonly __resolves?: T } & ServiceIdentifier<T>;

/** The one place a symbol becomes a typed key. */
export const id = <T>(name: string): Id<T> => Symbol.for(name) as Id<T>;

/**
 * A background activity a module owns: started once the schema is current, stopped after the HTTP
 * server stopped accepting (in the reverse order of the modules that bound them).
 */
export interface Worker {
  name: string;
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
}

/** The keys every deployment shares; each context declares its own next to its module. */
export const CORE = {
  /** The process's configuration, its logger and service name: the inputs of the composition. */
  Config: id<Config>('Config'),
  Logger: id<Logger>('Logger'),
  Service: id<string>('Service'),
  /** Persistence: the MikroORM handle over PostgreSQL (opened asynchronously, see openConnections). */
  Orm: id<Orm>('Orm'),
  /** Redis adapter group: the client (opened asynchronously). */
  Redis: id<Redis>('Redis'),
  KeyValueStore: id<KeyValueStore>('KeyValueStore'),
  EventBus: id<EventBus>('EventBus'),
  /** Regulator API rate limits: in Redis, shared by replicas, or in memory on the embedded default. */
  RateLimiter: id<RateLimiter>('RateLimiter'),
  /** Multi-bound: one per connection, in /readyz. Resolving them all opens the connections. */
  Readiness: id<ReadinessCheck>('Readiness'),
  /** Multi-bound: the workers of the loaded modules, in load order. */
  Workers: id<Worker>('Workers'),
  /** The process's HTTP metrics; its registry holds the other metrics too. */
  Metrics: id<HttpMetrics>('Metrics'),
  AuditMetrics: id<AuditMetrics>('AuditMetrics'),
  JwtKeys: id<JwtKeys>('JwtKeys'),
  /** Issues (where a signing key exists) and verifies access tokens. */
  AccessTokens: id<JwtAccessTokenService>('AccessTokens'),
  PasswordHasher: id<PasswordHasher>('PasswordHasher'),
  /** The users' roles as PostgreSQL holds them now, for privileged routes. */
  CurrentRoles: id<CurrentRoles>('CurrentRoles'),
  /** Idempotency-Key claims and stored responses. */
  IdempotencyStore: id<IdempotencyStore>('IdempotencyStore'),
  /** Publishes outbox_events to the event bus; `poke()` after a commit publishes sooner. */
  OutboxRelay: id<OutboxRelay>('OutboxRelay'),
  /** The append-only audit trail (docs/SECURITY.md "Audit trail"). */
  AuditTrail: id<AuditTrail>('AuditTrail'),
} as const;

/** The e-wallet adapters of one container: set when its worker starts (the sandboxes start asynchronously, after the server listens). */
export interface EWalletState {
  adapters: EWalletAdapters | null;
  /** The in-process provider simulators, when no provider base URL is configured. */
  sandboxes: Sandboxes | null;
}

/** The e-wallet adapter group's keys (ewallet.module.ts, or memoryEWalletModule in the fixtures). */
export const EWALLET = {
  State: id<EWalletState>('ewallet.State'),
  /** The providers and webhook verifiers by method; handlers reach the adapters at call time. */
  Providers: id<EWalletProviders>('ewallet.Providers'),
  Verifiers: id<EWalletWebhookVerifiers>('ewallet.Verifiers'),
} as const;
