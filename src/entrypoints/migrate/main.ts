import { ConfigError, loadMigrateConfig, type Config } from '../shared/config.ts';
import { createLogger } from '../../adapters/http/logger.ts';
import { createOrm, migrate } from '../../adapters/persistence/orm.ts';

// The migration job: applies pending migrations to DATABASE_URL and exits (a Kubernetes Job in
// deployments). It needs PostgreSQL only: DATABASE_URL is the one variable it requires.
let config: Config;
try {
  config = loadMigrateConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(`migrate: ${err.message}`);
  process.exit(2);
}
const logger = createLogger('migrate', config.LOG_LEVEL);
const orm = await createOrm({ url: config.DATABASE_URL!, poolMax: 2 });
try {
  const applied = await migrate(orm);
  logger.info({ applied }, applied.length ? `applied ${applied.length} migration(s)` : 'schema is up to date');
} catch (err) {
  logger.error({ err }, 'migration failed');
  process.exitCode = 1;
} finally {
  await orm.close(true);
}
