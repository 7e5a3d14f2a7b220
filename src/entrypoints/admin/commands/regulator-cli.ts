import type { AdminContext } from '../cli.ts';
import { UsageError } from '../cli.ts';
import type { RegulatorAdmin } from '../../../application/regulator/regulator-admin.ts';
import { REGULATOR } from '../../regulator/regulator.module.ts';
import { parseRateLimits, RATE_WINDOWS, type RateLimits } from '../../../domain/regulator/rate-limits.ts';
import type { ApiKey } from '../../../domain/regulator/api-key.ts';
import type { ExternalService } from '../../../domain/regulator/external-service.ts';
import { RegulatorErrors } from '../../../domain/regulator/regulator.errors.ts';

/** Shared helpers of the regulator commands (services, keys, access logs). */
export const adminOf = (ctx: AdminContext): RegulatorAdmin => ctx.container.get(REGULATOR.Admin);

export function optionalFlag(flags: AdminContext['flags'], name: string): string | undefined {
  const v = flags[name];
  if (v === true) throw new UsageError(`--${name} needs a value`);
  return v === '' ? undefined : v;
}

export function listFlag(flags: AdminContext['flags'], name: string): string[] | undefined {
  const v = optionalFlag(flags, name);
  return v === undefined
    ? undefined
    : v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
}

/** `--limit-second 5 --limit-minute 100 …`, or undefined when none is given. */
export function limitsFlag(flags: AdminContext['flags']): RateLimits | undefined {
  const raw: Record<string, unknown> = {};
  for (const w of RATE_WINDOWS) {
    const v = optionalFlag(flags, `limit-${w}`);
    if (v !== undefined) {
      if (!/^\d+$/.test(v)) throw new UsageError(`--limit-${w} must be a positive integer`);
      raw[w] = Number(v);
    }
  }
  return Object.keys(raw).length ? parseRateLimits(raw) : undefined;
}

export function dateFlag(flags: AdminContext['flags'], name: string): Date | undefined {
  const v = optionalFlag(flags, name);
  if (v === undefined) return undefined;
  const d = new Date(v);
  if (Number.isNaN(d.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(v)) throw new UsageError(`--${name} must be an ISO-8601 date or date-time`);
  return d;
}

export function intFlag(flags: AdminContext['flags'], name: string, min: number, max: number): number | undefined {
  const v = optionalFlag(flags, name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new UsageError(`--${name} must be an integer between ${min} and ${max}`);
  return Number(v);
}

export function serviceJson(s: ExternalService): Record<string, unknown> {
  return {
    id: s.id,
    company: s.company,
    service_type: s.serviceType,
    contact_email: s.contactEmail,
    description: s.description,
    is_active: s.isActive,
    default_permissions: s.defaultPermissions,
    default_rate_limits: s.defaultRateLimits,
    created_at: s.createdAt.toISOString(),
  };
}

/** A key as listed: never its hash, only the public prefix. */
export function keyJson(k: ApiKey, now = new Date()): Record<string, unknown> {
  const state = k.revokedAt ? 'revoked' : !k.isActive ? 'inactive' : k.expiresAt && k.expiresAt <= now ? 'expired' : 'active';
  return {
    id: k.id,
    external_service_id: k.externalServiceId,
    name: k.name,
    prefix: k.prefix,
    permissions: k.permissions,
    rate_limits: k.rateLimits,
    allowed_ips: k.allowedIps,
    expires_at: k.expiresAt?.toISOString() ?? null,
    revoked_at: k.revokedAt?.toISOString() ?? null,
    rotated_from: k.rotatedFrom,
    state,
    created_at: k.createdAt.toISOString(),
    last_used_at: k.lastUsedAt?.toISOString() ?? null,
  };
}

export function notFound(what: string): never {
  throw RegulatorErrors.notFound(what);
}
