import { loadConfig } from '../shared/config.ts';
import { createLogger } from '../../adapters/http/logger.ts';
import { createOrm, migrate } from '../../adapters/persistence/orm.ts';

// The migration job: applies pending migrations to DATABASE_URL and exits (a Kubernetes Job in deployments).
const config = loadConfig();
const logger = createLogger('migrate', config.LOG_LEVEL);
if (!config.DATABASE_URL) {
  console.error('migrate: DATABASE_URL is required (the embedded default migrates itself on start)');
  process.exit(2);
}
const orm = await createOrm({ url: config.DATABASE_URL, poolMax: 2 });
try {
  const applied = await migrate(orm);
  logger.info({ applied }, applied.length ? `applied ${applied.length} migration(s)` : 'schema is up to date');
} catch (err) {
  logger.error({ err }, 'migration failed');
  process.exitCode = 1;
} finally {
  await orm.close(true);
}
