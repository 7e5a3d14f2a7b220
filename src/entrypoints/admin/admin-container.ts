import type { Container } from 'inversify';
import type { Config } from '../shared/config.ts';
import type { AdminContext } from './cli.ts';
import { operatorAudit } from './operator-audit.ts';
import { pino } from 'pino';
import { CORE } from '../composition/ids.ts';
import { createContainer, openConnections } from '../composition/container.ts';
import { persistenceModule, type Database } from '../composition/persistence.module.ts';
import { redisModule } from '../composition/redis.module.ts';
import { memoryModule } from '../composition/memory.module.ts';
import { paymentBindings } from '../payment/payment.bindings.ts';
import { regulatorBindings } from '../regulator/regulator.module.ts';

/**
 * The operator CLI's container: the services' own modules over connections of its own. With
 * REDIS_URL the ledger's commits invalidate the services' balance cache in Redis; on the embedded
 * default the server's in-memory cache expires on its own within a minute.
 */
export async function openAdminContainer(config: Config, database: Database): Promise<Container> {
  const container = createContainer({ config, logger: pino({ level: 'silent' }), service: 'admin-cli' }, [
    persistenceModule(database),
    config.REDIS_URL ? redisModule() : memoryModule(),
    paymentBindings(),
    regulatorBindings,
  ]);
  await openConnections(container);
  return container;
}

/** What one command run gets from the container, its flags and its printer. */
export function adminContext(container: Container, flags: AdminContext['flags'], print: AdminContext['print']): AdminContext {
  const trail = container.get(CORE.AuditTrail);
  return { container, orm: container.get(CORE.Orm), config: container.get(CORE.Config), flags, trail, audit: operatorAudit(trail, flags), print };
}
