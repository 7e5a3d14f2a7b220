import { hostname, userInfo } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { AdminContext } from './cli.ts';
import type { AuditTrail } from '../../application/audit/audit-trail.ts';

/** Who runs the CLI: --operator NAME when given, else the OS account. */
export function operatorName(flags: AdminContext['flags']): string {
  if (typeof flags.operator === 'string' && flags.operator.trim()) return flags.operator.trim();
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** ctx.audit for one CLI run: every event of the run shares one request id. */
export function operatorAudit(trail: AuditTrail, flags: AdminContext['flags']): AdminContext['audit'] {
  const requestId = `cli-${randomUUID()}`;
  const actor = { type: 'operator' as const, id: operatorName(flags) };
  return async (action, object, change = {}) => {
    await trail.record({
      category: 'OPERATOR',
      action,
      actor,
      object,
      ...change,
      source: { ip: null, userAgent: `onegate-admin-cli (${hostname()})` },
      requestId,
    });
  };
}
