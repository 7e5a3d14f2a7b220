import { MikroORM, PostgreSqlDriver } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { entitySchemas } from './schemas/index.ts';
import { PostgresNamingStrategy } from './schemas/columns.ts';
import { migrationsList } from './migrations/index.ts';

export type Orm = MikroORM;

/** MikroORM's record of the migrations a database has run (read by schema-version.ts). */
export const MIGRATIONS_TABLE = 'mikro_orm_migrations';

export interface OrmOptions {
  url: string;
  poolMax: number;
  debug?: boolean;
}

export async function createOrm(opts: OrmOptions): Promise<Orm> {
  return MikroORM.init({
    driver: PostgreSqlDriver,
    clientUrl: opts.url,
    entities: entitySchemas,
    namingStrategy: PostgresNamingStrategy,
    // username_renames has no primary key, so it cannot be an entity: the schema tools leave it alone.
    schemaGenerator: { skipTables: ['username_renames'] },
    extensions: [Migrator],
    pool: { min: 0, max: opts.poolMax },
    // A flush outside a transaction runs in one of its own (MikroORM's default, said out loud);
    // money movements do not rely on it: each opens its own transaction explicitly.
    implicitTransactions: true,
    allowGlobalContext: false,
    debug: opts.debug ?? false,
    migrations: { migrationsList, tableName: MIGRATIONS_TABLE, transactional: true, allOrNothing: true, snapshot: false, silent: true },
  });
}

/** Applies every pending migration; returns the names applied. */
export async function migrate(orm: Orm): Promise<string[]> {
  const applied = await orm.migrator.up();
  return applied.map((m) => m.name);
}

/** A cheap round trip for /readyz. */
export async function pingDatabase(orm: Orm): Promise<void> {
  await orm.em.getConnection().execute('select 1');
}
