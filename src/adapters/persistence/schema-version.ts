import { MIGRATIONS_TABLE, type Orm } from './orm.ts';
import { kysely } from './kysely.ts';
import { migrationsList } from './migrations/index.ts';

/**
 * Where the database's schema stands against this code's migrations: `pending` are the code's
 * migrations the database has not run (run `npm run migrate`), `unknown` the database's that this
 * code does not know (the schema is newer: a rollback of the code). Both empty: the schema is the
 * one the code expects.
 */
export interface SchemaVersion {
  pending: string[];
  unknown: string[];
}

export const isCurrent = (v: SchemaVersion): boolean => v.pending.length === 0 && v.unknown.length === 0;

/** The comparison itself, by migration name (MikroORM stores names without the .ts/.js extension). */
export function compareMigrations(known: readonly string[], executed: readonly string[]): SchemaVersion {
  const bare = (name: string) => name.replace(/\.[jt]s$/, '');
  const ran = new Set(executed.map(bare));
  const knownSet = new Set(known.map(bare));
  return { pending: known.map(bare).filter((n) => !ran.has(n)), unknown: [...ran].filter((n) => !knownSet.has(n)) };
}

/**
 * Reads MikroORM's executed-migrations table, read-only: unlike the migrator's own listing it never
 * creates the table, so a service pointed at an empty database changes nothing there.
 */
export async function readSchemaVersion(orm: Orm): Promise<SchemaVersion> {
  // MikroORM's own table, not an entity: declared here for the one query that reads it.
  const k = kysely(orm.em.fork()).withTables<{ [MIGRATIONS_TABLE]: { id: number; name: string } }>();
  const table = await k.selectNoFrom((eb) => eb(eb.fn('to_regclass', [eb.val(MIGRATIONS_TABLE)]), 'is not', null).as('present')).executeTakeFirst();
  const executed = table?.present ? (await k.selectFrom(MIGRATIONS_TABLE).select('name').orderBy('id').execute()).map((r) => r.name) : [];
  return compareMigrations(
    migrationsList.map((m) => m.name),
    executed,
  );
}

/** The log line and readiness message: what is wrong and what to do. */
export function describeSchemaVersion(v: SchemaVersion): string {
  const parts: string[] = [];
  if (v.pending.length)
    parts.push(`${v.pending.length} pending migration(s) (${v.pending.join(', ')}): run \`npm run migrate\` (the migrate job) against this DATABASE_URL`);
  if (v.unknown.length)
    parts.push(
      `the database has ${v.unknown.length} migration(s) this code does not know (${v.unknown.join(', ')}): its schema is newer than this code; deploy the version that matches it`,
    );
  return `database schema is not at this code's version: ${parts.join('; ')}`;
}
