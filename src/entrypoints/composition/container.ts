import { Container, ContainerModule } from 'inversify';
import type { Logger } from 'pino';
import type { Config } from '../shared/config.ts';
import { CORE, type Worker } from './ids.ts';
import type { ReadinessCheck } from '../../application/ports/readiness.ts';
import { persistenceModule, type Database } from './persistence.module.ts';
import { securityModule } from './security.module.ts';
import { redisModule } from './redis.module.ts';
import { kafkaModule } from './kafka.module.ts';
import { memoryModule } from './memory.module.ts';

/** What the composition starts from: the configuration, the logger, the service's name. */
export interface CompositionInputs {
  config: Config;
  logger: Logger;
  service: string;
}

/** The adapter groups a process on this configuration uses: real Redis and Kafka, or the in-memory ones of the embedded default. */
export function adapterGroups(config: Config, database: Database): ContainerModule[] {
  return [securityModule(), persistenceModule(database), ...(config.embedded ? [memoryModule()] : [redisModule(), kafkaModule()])];
}

/**
 * The container of one process: its inputs, then the modules in order (adapter groups before the
 * contexts, so that workers start in that order and stop in the reverse). Every binding is a
 * singleton of this container: built at its first use, once.
 */
export function createContainer(inputs: CompositionInputs, modules: ContainerModule[]): Container {
  const container = new Container({ defaultScope: 'Singleton' });
  container.load(
    new ContainerModule(({ bind }) => {
      bind(CORE.Config).toConstantValue(inputs.config);
      bind(CORE.Logger).toConstantValue(inputs.logger);
      bind(CORE.Service).toConstantValue(inputs.service);
    }),
    ...modules,
  );
  return container;
}

/** Opens every connection (each adapter group binds one readiness check per connection); on failure closes what opened. */
export async function openConnections(container: Container): Promise<ReadinessCheck[]> {
  try {
    return await container.getAllAsync(CORE.Readiness);
  } catch (err) {
    await closeContainer(container);
    throw err;
  }
}

const workersOf = (container: Container): Worker[] => (container.isBound(CORE.Workers) ? container.getAll(CORE.Workers) : []);

export async function startWorkers(container: Container): Promise<void> {
  for (const w of workersOf(container)) await w.start();
}

/** Stops the workers in the reverse order of their start; one failing does not keep the others running. */
export async function stopWorkers(container: Container, logger: Logger): Promise<void> {
  for (const w of workersOf(container).reverse()) await Promise.resolve(w.stop()).catch((err) => logger.warn({ err }, `error stopping ${w.name}`));
}

/** Closes the connections (the adapter groups' deactivation handlers). */
export async function closeContainer(container: Container): Promise<void> {
  await container.unbindAllAsync();
}
