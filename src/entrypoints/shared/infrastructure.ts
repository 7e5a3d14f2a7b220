import type { Logger } from 'pino';
import type { Redis } from 'ioredis';
import type { Container } from 'inversify';
import type { Config } from './config.ts';
import type { EventBus } from '../../application/ports/event-bus.ts';
import type { KeyValueStore } from '../../application/ports/key-value-store.ts';
import type { ReadinessCheck } from '../../application/ports/readiness.ts';
import type { Orm } from '../../adapters/persistence/orm.ts';
import { CORE } from '../composition/ids.ts';
import { closeContainer } from '../composition/container.ts';

/** The connections one process holds: PostgreSQL, Redis (or its in-memory stand-in) and the event bus. */
export interface Infrastructure {
  config: Config;
  logger: Logger;
  orm: Orm;
  /** Null on the embedded default, where `kv` is in memory. */
  redis: Redis | null;
  kv: KeyValueStore;
  events: EventBus;
  readiness: ReadinessCheck[];
  close(): Promise<void>;
}

/** The view of a container's opened connections (after openConnections). */
export function infrastructureOf(container: Container, readiness: ReadinessCheck[]): Infrastructure {
  return {
    config: container.get(CORE.Config),
    logger: container.get(CORE.Logger),
    orm: container.get(CORE.Orm),
    redis: container.isBound(CORE.Redis) ? container.get(CORE.Redis) : null,
    kv: container.get(CORE.KeyValueStore),
    events: container.get(CORE.EventBus),
    readiness,
    close: () => closeContainer(container),
  };
}
