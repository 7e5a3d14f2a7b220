import type { Logger } from 'pino';
import type { Orm } from '../../adapters/persistence/orm.ts';
import { describeSchemaVersion, isCurrent, readSchemaVersion, type SchemaVersion } from '../../adapters/persistence/schema-version.ts';
import type { Refusal } from '../../adapters/http/app.ts';

const RECHECK_MS = 2000;

/**
 * A deployment never serves a database whose schema is not the one its code expects. At start the
 * platform reads the database's executed migrations; while they differ from the code's list (pending
 * ones: the migrate job has not run; unknown ones: the schema is newer than this code, a rollback)
 * every request but /healthz and /metrics answers 503 SCHEMA_NOT_MIGRATED, /readyz included, and no
 * worker runs. It re-reads every 2 s, so a deployment started before its migrate job finished becomes
 * ready on its own once the job is done. Only at start: a running deployment keeps serving when a
 * newer migrate job runs beside it (the rollout order: migrate, then roll the deployments).
 */
export class SchemaGate {
  private refusing: Refusal | null = { error: 'SCHEMA_NOT_MIGRATED', message: 'the database schema has not been checked yet' };
  private timer: NodeJS.Timeout | undefined;
  private lastLogged = '';
  private stopped = false;

  private readonly orm: Orm;
  private readonly logger: Logger;

  constructor(orm: Orm, logger: Logger) {
    this.orm = orm;
    this.logger = logger;
  }

  /** What every request is refused with, or null once the schema is current and the workers run. */
  refusal(): Refusal | null {
    return this.refusing;
  }

  /** Reads the schema's version; true when it is the code's (the gate is then open). */
  async check(): Promise<boolean> {
    let version: SchemaVersion;
    try {
      version = await readSchemaVersion(this.orm);
    } catch (err) {
      const message = `the database schema version could not be read: ${(err as Error).message}`;
      this.refusing = { error: 'DEPENDENCY_UNAVAILABLE', message: 'the database is unavailable; try again shortly' };
      this.log('warn', message, {});
      return false;
    }
    if (isCurrent(version)) {
      // Current; requests wait (503) only until the workers have started and open() is called.
      this.refusing = { error: 'NOT_READY', message: 'starting' };
      return true;
    }
    const line = describeSchemaVersion(version);
    this.refusing = {
      error: 'SCHEMA_NOT_MIGRATED',
      message: 'the service is not available: its database schema is not at this version',
      details: { pending: version.pending, unknown: version.unknown },
    };
    this.log('error', line, { pending: version.pending, unknown: version.unknown });
    return false;
  }

  /** Opens the gate: the schema is current and the workers started. */
  open(): void {
    this.refusing = null;
  }

  /** Re-checks until the schema is current, then runs `onCurrent` (starting the workers) and opens. */
  waitUntilCurrent(onCurrent: () => Promise<void>): void {
    const tick = async () => {
      if (this.stopped) return;
      if (await this.check()) {
        this.logger.info("database schema is at this code's version now: starting");
        try {
          await onCurrent();
          if (!this.stopped) this.open();
        } catch (err) {
          this.logger.error({ err }, 'failed to start the workers');
          this.refusing = { error: 'NOT_READY', message: 'failed to start' };
        }
        return;
      }
      this.timer = setTimeout(tick, RECHECK_MS);
      this.timer.unref();
    };
    this.timer = setTimeout(tick, RECHECK_MS);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  // One line per change of state, not one every two seconds.
  private log(level: 'warn' | 'error', line: string, fields: Record<string, unknown>): void {
    if (line === this.lastLogged) return;
    this.lastLogged = line;
    this.logger[level](fields, line);
  }
}
