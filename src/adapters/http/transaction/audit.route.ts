import type Router from '@koa/router';
import type { Middleware } from 'koa';
import { z } from 'zod';
import type { AuditLog } from '../../../domain/audit/audit-log.ts';
import { ACTOR_TYPES, AUDIT_CATEGORIES, type AuditEvent } from '../../../domain/audit/audit-event.ts';
import { maskIp, maskPersonalData } from '../../../domain/regulator/personal-data.ts';
import { respond } from '../envelope.ts';
import type { OpenApiRegistry } from '../openapi.ts';
import { defineRoute, type AnyRouteSpec } from '../route.ts';

type RouteSpecErrors = NonNullable<AnyRouteSpec['errors']>;
import { filtersOf, instant } from './transaction.requests.ts';
import { TransactionErrors } from '../../../domain/transaction/transaction.errors.ts';

/** The audit trail for regulators: same date rules as the histories (`from` inclusive, a date is an Asia/Jakarta day). */
export const AuditQuery = z.object({
  from: instant.optional(),
  to: instant.optional(),
  type: z.enum(AUDIT_CATEGORIES).optional(),
  cursor: z.string().max(512).optional(),
  size: z.coerce.number().int().min(1).max(100).default(50),
});

/** An opaque cursor: the last event's seq. */
const encodeCursor = (seq: number): string => Buffer.from(JSON.stringify(['audit', seq])).toString('base64url');
function decodeCursor(cursor: string): number {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && v[0] === 'audit' && Number.isSafeInteger(v[1]) && (v[1] as number) > 0) return v[1] as number;
  } catch {
    // falls through to the refusal
  }
  throw TransactionErrors.invalidCursor();
}

/**
 * An event as a regulator sees it: personal data masked (IPs to their network, phones masked,
 * emails and names removed, at any depth of before/after/details), built field by field. The
 * hashes stay, so the regulator can check that consecutive events link (prev_hash = hash).
 */
export function regulatorAuditDto(e: AuditEvent): Record<string, unknown> {
  return {
    seq: e.seq,
    id: e.id,
    occurred_at: e.occurredAt.toISOString(),
    type: e.category,
    action: e.action,
    actor: { type: e.actor.type, id: e.actor.id },
    object: { type: e.object.type, id: e.object.id },
    before: maskPersonalData(e.before),
    after: maskPersonalData(e.after),
    details: maskPersonalData(e.details),
    source: { ip: maskIp(e.sourceIp), user_agent: e.userAgent },
    request_id: e.requestId,
    prev_hash: e.prevHash,
    hash: e.hash,
  };
}

const jsonValue = z.unknown().describe('a JSON value, personal data masked');
export const RegulatorAuditEventSchema = z
  .strictObject({
    seq: z.number().int().describe('position in the hash chain (gapless)'),
    id: z.string(),
    occurred_at: z.string().describe('ISO-8601 UTC'),
    type: z.enum(AUDIT_CATEGORIES),
    action: z.string().describe('<group>.<verb>, e.g. accounts.suspend, auth.login_locked, config.jwt_signer_key'),
    actor: z.strictObject({ type: z.enum(ACTOR_TYPES), id: z.string() }),
    object: z.strictObject({ type: z.string(), id: z.string().nullable() }),
    before: jsonValue,
    after: jsonValue,
    details: jsonValue,
    source: z.strictObject({ ip: z.string().nullable().describe('masked to the network: 203.0.113.x'), user_agent: z.string().nullable() }),
    request_id: z.string().nullable(),
    prev_hash: z.string().describe('hash of the previous event (64 hex)'),
    hash: z.string().describe('SHA-256 of this event (64 hex)'),
  })
  .meta({
    id: 'RegulatorAuditEvent',
    description: 'An audit event as a regulator sees it: IPs masked to their network, phones masked, emails, names and secrets removed.',
    examples: [
      {
        seq: 1042,
        id: '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f',
        occurred_at: '2026-12-01T08:15:30.123Z',
        type: 'OPERATOR',
        action: 'accounts.suspend',
        actor: { type: 'operator', id: 'ops-budi' },
        object: { type: 'account', id: '5d3c1e0a-2b4f-4e6a-8c9d-0e1f2a3b4c5d' },
        before: { status: 'ACTIVE' },
        after: { status: 'SUSPENDED' },
        details: null,
        source: { ip: null, user_agent: 'onegate-admin-cli (ops-1)' },
        request_id: 'cli-2b4f4e6a-8c9d-0e1f-2a3b-4c5d6e7f8a9b',
        prev_hash: '9f2c7a1e5b3d8f604a2c9e1b7d5f3a8c0e6b4d2f9a7c5e3b1d8f6a4c2e0b9d7f',
        hash: '3a8c0e6b4d2f9a7c5e3b1d8f6a4c2e0b9d7f9f2c7a1e5b3d8f604a2c9e1b7d5f',
      },
    ],
  });
const CursorMetaSchema = z
  .object({ size: z.number().int(), next_cursor: z.string().nullable().describe('pass as ?cursor= for the next (older) events; null at the end') })
  .meta({ examples: [{ size: 50, next_cursor: 'WyJhdWRpdCIsMTA0Ml0' }] });

/** GET /api/transaction/audit: cursor pages newest first; each request is in the regulators' access log like every regulator route. */
export function mountAuditRoute(
  router: Router,
  openapi: OpenApiRegistry,
  audit: AuditLog,
  middleware: Middleware[],
  errors: RouteSpecErrors,
  RATE_HEADERS: Record<string, string>,
): void {
  defineRoute(
    router,
    openapi,
    {
      method: 'get',
      path: '/api/transaction/audit',
      summary:
        'The audit trail (READ_AUDIT): operator actions, security and configuration events in [from, to), newest first, cursor pages, personal data masked',
      tag: 'regulator',
      security: 'apiKey',
      query: AuditQuery,
      operationId: 'listAuditEvents',
      responses: { 200: { description: 'audit events', data: z.array(RegulatorAuditEventSchema), meta: CursorMetaSchema, headers: RATE_HEADERS } },
      errors,
      middleware,
    },
    async (ctx, { query }) => {
      const { from, to } = filtersOf({ from: query.from, to: query.to });
      const beforeSeq = query.cursor ? decodeCursor(query.cursor) : undefined;
      const rows = await audit.query({ from, to, category: query.type, beforeSeq, limit: query.size + 1 });
      const page = rows.slice(0, query.size);
      const next = rows.length > query.size ? encodeCursor(page.at(-1)!.seq) : null;
      respond(ctx, 200, 'audit events', page.map(regulatorAuditDto), { size: query.size, next_cursor: next });
    },
  );
}
