import pg from 'pg';
import { createOrm, migrate } from '../../src/adapters/persistence/orm.ts';
import { requireEnv, uniq } from './services.ts';

/**
 * A database of its own, created and migrated for one suite: for checks over the whole database
 * (the sum of every balance) that other suites running at the same time must not disturb.
 * `migrated: false` leaves it empty (the schema-version checks).
 */
export async function createIsolatedDatabase(prefix = 'onegate_iso', { migrated = true } = {}): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = requireEnv('TEST_POSTGRES_ADMIN_URL');
  const name = uniq(`${prefix}_`).toLowerCase();
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  if (migrated) {
    const orm = await createOrm({ url: url.toString(), poolMax: 2 });
    await migrate(orm);
    await orm.close(true);
  }
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}
