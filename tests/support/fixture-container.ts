import type { Container, ContainerModule } from 'inversify';
import pino from 'pino';
import type { Orm } from '../../src/adapters/persistence/orm.ts';
import { loadConfig } from '../../src/entrypoints/shared/config.ts';
import { createContainer } from '../../src/entrypoints/composition/container.ts';
import { persistenceModule } from '../../src/entrypoints/composition/persistence.module.ts';
import { memoryModule } from '../../src/entrypoints/composition/memory.module.ts';

/**
 * The services' own modules for a suite's fixtures: over the suite's open PostgreSQL connection,
 * with the in-memory adapter group (no Redis, no Kafka, no worker started).
 */
export function fixtureContainer(orm: Orm, modules: ContainerModule[]): Container {
  return createContainer({ config: loadConfig({ NODE_ENV: 'test' }), logger: pino({ level: 'silent' }), service: 'test-fixtures' }, [
    persistenceModule({ kind: 'open', orm }),
    memoryModule(),
    ...modules,
  ]);
}
