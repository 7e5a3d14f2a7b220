import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { Orm } from '../../adapters/persistence/orm.ts';
import { PostgresAuditLog } from '../../adapters/persistence/audit/postgres-audit-log.ts';
import { Ed25519CheckpointSigner } from '../../adapters/security/ed25519-checkpoint-signer.ts';
import type { AuditMetrics } from '../../adapters/observability/audit-metrics.ts';
import { AuditTrail } from '../../application/audit/audit-trail.ts';

/** The audit trail over PostgreSQL with the configured checkpoint keys; one per process. */
export function createAuditTrail(orm: Orm, config: Config, opts: { logger?: Logger; metrics?: AuditMetrics } = {}): AuditTrail {
  return new AuditTrail(new PostgresAuditLog(orm), {
    signer: new Ed25519CheckpointSigner(config.AUDIT_SIGNING_KEY, config.AUDIT_VERIFY_KEYS),
    checkpointEvery: config.AUDIT_CHECKPOINT_EVERY,
    onRecorded: (e) => opts.metrics?.recorded(e),
    onFailed: (e, err) => {
      opts.metrics?.failed(e);
      opts.logger?.error({ err: (err as Error).message, action: e.action }, 'audit event could not be recorded');
    },
  });
}

/**
 * A configuration change the platform can see: the JWT signing key in use. Recorded when a
 * process starts with a key id other than the last one recorded (a rotation, or the first start),
 * with the previous key id as `before`. Key ids only: never key material.
 */
export async function recordSignerKey(trail: AuditTrail, kid: string, service: string): Promise<void> {
  const [last] = await trail.log.query({ action: 'config.jwt_signer_key', limit: 1 }).catch(() => []);
  const previous = (last?.after as { kid?: string } | null)?.kid ?? null;
  if (previous === kid) return;
  await trail.recordQuietly({
    category: 'CONFIGURATION',
    action: 'config.jwt_signer_key',
    actor: { type: 'system', id: service },
    object: { type: 'jwt_signing_key', id: kid },
    before: previous ? { kid: previous } : null,
    after: { kid },
  });
}
