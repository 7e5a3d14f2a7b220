import type { Logger } from 'pino';
import type { Redis } from 'ioredis';
import type { Config } from './config.ts';
import type { EventBus } from '../../application/ports/event-bus.ts';
import type { KeyValueStore } from '../../application/ports/key-value-store.ts';
import type { ReadinessCheck } from '../../application/ports/readiness.ts';
import { createOrm, migrate, pingDatabase, type Orm } from '../../adapters/persistence/orm.ts';
import { startEmbeddedPostgres } from '../../adapters/persistence/embedded-postgres.ts';
import { createRedis } from '../../adapters/redis/redis-client.ts';
import { RedisKeyValueStore } from '../../adapters/redis/redis-key-value-store.ts';
import { KafkaJsEventBus } from '../../adapters/kafka/kafkajs-event-bus.ts';
import { InMemoryKeyValueStore } from '../../adapters/memory/in-memory-key-value-store.ts';
import { InProcessEventBus } from '../../adapters/memory/in-process-event-bus.ts';

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

export interface InfrastructureOptions {
  /** Run pending migrations at start (the embedded default does; deployments run the migrate job). */
  migrate?: boolean;
}

export async function createInfrastructure(config: Config, logger: Logger, opts: InfrastructureOptions = {}): Promise<Infrastructure> {
  const closers: (() => Promise<void>)[] = [];
  try {
    let databaseUrl = config.DATABASE_URL;
    if (config.embedded) {
      const db = await startEmbeddedPostgres(config.EMBEDDED_DATA_DIR, config.EMBEDDED_PG_PORT, logger);
      closers.push(db.stop);
      databaseUrl = db.url;
    }
    const orm = await createOrm({ url: databaseUrl!, poolMax: config.DATABASE_POOL_MAX });
    closers.unshift(() => orm.close(true));
    if (opts.migrate || config.embedded) {
      const applied = await migrate(orm);
      if (applied.length) logger.info({ applied }, 'migrations applied');
    }

    let redis: Redis | null = null;
    let kv: KeyValueStore;
    let events: EventBus;
    if (config.embedded) {
      kv = new InMemoryKeyValueStore();
      events = new InProcessEventBus();
    } else {
      redis = createRedis(config.REDIS_URL!);
      redis.on('error', (err) => logger.warn({ err: err.message }, 'redis error'));
      await redis.connect().catch((err) => logger.warn({ err: err.message }, 'redis not reachable at start; retrying in the background'));
      const r = redis;
      closers.unshift(async () => void r.disconnect());
      kv = new RedisKeyValueStore(redis);
      events = new KafkaJsEventBus({
        brokers: config.KAFKA_BROKERS!.split(','),
        clientId: config.KAFKA_CLIENT_ID,
        logger,
        sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
        heartbeatIntervalMs: config.KAFKA_HEARTBEAT_INTERVAL_MS,
      });
    }
    closers.unshift(() => events.close());

    const readiness: ReadinessCheck[] = [
      { name: 'postgres', check: () => pingDatabase(orm) },
      { name: config.embedded ? 'kv (in-memory)' : 'redis', check: () => kv.ping() },
      { name: config.embedded ? 'events (in-process)' : 'kafka', check: () => events.ping(), optional: true },
    ];

    return {
      config,
      logger,
      orm,
      redis,
      kv,
      events,
      readiness,
      close: async () => {
        for (const c of closers) await c().catch((err) => logger.warn({ err }, 'error while closing'));
      },
    };
  } catch (err) {
    for (const c of closers) await c().catch(() => {});
    throw err;
  }
}
