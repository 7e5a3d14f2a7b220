import type Router from '@koa/router';
import type { Middleware } from 'koa';
import { z } from 'zod';
import type { AuditLog } from '../../../application/ports/audit-log.ts';
import { AUDIT_CATEGORIES, type AuditEvent } from '../../../domain/audit/audit-event.ts';
import { maskIp, maskPersonalData } from '../../../domain/regulator/personal-data.ts';
import { DomainError } from '../../../domain/shared/domain-error.ts';
import { respond } from '../envelope.ts';
import type { OpenApiRegistry } from '../openapi.ts';
import { defineRoute } from '../route.ts';
import { filtersOf, instant } from './transaction.requests.ts';

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
  throw new DomainError('INVALID_CURSOR', 'invalid', 'cursor is not valid', { errors: [{ field: 'cursor', message: 'not a cursor this API issued' }] });
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

const RESPONSES = { 200: 'events, newest first, with meta.next_cursor', 400: 'validation failed, an invalid cursor, or an API key in the query string', 401: 'missing, unknown, inactive, revoked or expired API key', 403: 'READ_AUDIT missing or address not allowed', 429: 'over a rate limit (Retry-After, X-RateLimit-*)', 503: 'rate limiter unavailable' };

/** GET /api/transaction/audit: cursor pages newest first; each request is in the regulators' access log like every regulator route. */
export function mountAuditRoute(router: Router, openapi: OpenApiRegistry, audit: AuditLog, middleware: Middleware[]): void {
  defineRoute(
    router,
    openapi,
    { method: 'get', path: '/api/transaction/audit', summary: 'The audit trail (READ_AUDIT): operator actions, security and configuration events in [from, to), newest first, cursor pages, personal data masked', tag: 'regulator', security: 'apiKey', query: AuditQuery, responses: RESPONSES, middleware },
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
