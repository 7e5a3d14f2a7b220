import { ContainerModule } from 'inversify';
import { CORE, id } from '../composition/ids.ts';
import { RegulatorAuthenticator } from '../../application/regulator/regulator-authenticator.ts';
import { regulatorAdmin, type RegulatorAdmin } from '../../application/regulator/regulator-admin.ts';
import { PostgresRegulatorRepository } from '../../adapters/persistence/transaction/postgres-regulator.repository.ts';
import { BufferedPostgresAccessLogSink } from '../../adapters/persistence/transaction/postgres-access-log.ts';

/** Container keys of the regulator context. */
export const REGULATOR = {
  Repository: id<PostgresRegulatorRepository>('regulator.Repository'),
  /** External services and their API keys (the admin CLI, the embedded default's demo keys). */
  Admin: id<RegulatorAdmin>('regulator.Admin'),
  /** API keys and rate limits (in Redis, or in memory on the embedded default) of the regulator API. */
  Authenticator: id<RegulatorAuthenticator>('regulator.Authenticator'),
  AccessLog: id<BufferedPostgresAccessLogSink>('regulator.AccessLog'),
} as const;

/** The regulator context: external services, API keys, rate limits, access logs. The transaction service serves its API. */
export const regulatorBindings = new ContainerModule(({ bind }) => {
  bind(REGULATOR.Repository).toDynamicValue((c) => new PostgresRegulatorRepository(c.get(CORE.Orm)));
  bind(REGULATOR.Admin).toDynamicValue((c) => regulatorAdmin(c.get(REGULATOR.Repository)));
  bind(REGULATOR.Authenticator).toDynamicValue((c) => new RegulatorAuthenticator(c.get(REGULATOR.Repository), c.get(CORE.RateLimiter)));
  bind(REGULATOR.AccessLog).toDynamicValue((c) => new BufferedPostgresAccessLogSink(c.get(CORE.Orm), c.get(CORE.Logger).child({ component: 'access-log' })));
  bind(CORE.Workers).toDynamicValue((c) => {
    const accessLog = c.get(REGULATOR.AccessLog);
    // The HTTP server has stopped: every access-log entry is buffered by now; write them all.
    return { name: 'access log', start: () => {}, stop: () => accessLog.close() };
  });
});
