import type { Context, Middleware } from 'koa';
import type { AccessLogSink } from '../../../domain/regulator/regulator.ports.ts';
import { rateLimitedError, type RegulatorAuthenticator, type RegulatorPrincipal } from '../../../application/regulator/regulator-authenticator.ts';
import { looksLikeApiKey } from '../../../domain/regulator/api-key.ts';
import type { Permission } from '../../../domain/regulator/permissions.ts';
import { RegulatorErrors } from '../../../domain/regulator/regulator.errors.ts';

const KEY_PARAMS = new Set(['api_key', 'apikey', 'api-key', 'x-api-key', 'x_api_key', 'key', 'access_key']);

/**
 * Audits every regulator request in api_access_logs once its response is over (so a streamed
 * export is timed to its last byte and a failure is recorded with its final status): the service
 * and key when known, the path without its query string, method, client IP, user agent, status,
 * duration and error code. Recording is a buffer append; the sink writes in the background.
 */
export function auditRegulatorRequests(sink: AccessLogSink): Middleware {
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    ctx.res.once('close', () => {
      const principal = ctx.state.regulator as RegulatorPrincipal | undefined;
      const body = ctx.body as { meta?: { error?: unknown } } | undefined;
      let status = ctx.status;
      let errorCode = body && typeof body === 'object' && 'meta' in body && typeof body.meta?.error === 'string' ? body.meta.error : null;
      if (ctx.state.streamFailed) {
        status = 500;
        errorCode = 'EXPORT_FAILED';
      } else if (!ctx.res.writableFinished) {
        status = 499;
        errorCode ??= 'CLIENT_CLOSED_REQUEST';
      }
      sink.record({
        externalServiceId: principal?.service.id ?? null,
        apiKeyId: principal?.key.id ?? null,
        endpoint: ctx.path,
        method: ctx.method,
        ipAddress: String(ctx.state.clientIp ?? ctx.ip),
        userAgent: ctx.get('user-agent') || null,
        status,
        durationMs: Math.round(Number(process.hrtime.bigint() - started) / 1e6),
        errorCode,
        requestId: (ctx.state.requestId as string | undefined) ?? null,
        at: new Date(),
      });
    });
    await next();
  };
}

/** A key in the query string ends up in proxy and browser logs: refuse it, and never echo or store it. */
export function refuseKeyInQuery(): Middleware {
  return async (ctx, next) => {
    for (const [name, value] of Object.entries(ctx.query)) {
      const values = Array.isArray(value) ? value : [value ?? ''];
      if (KEY_PARAMS.has(name.toLowerCase()) || values.some((v) => looksLikeApiKey(v))) {
        throw RegulatorErrors.apiKeyInQuery();
      }
    }
    await next();
  };
}

/** Identifies the key (401), counts it (429 with Retry-After, or 503 when the limiter is down), checks the permission (403). */
export function requireApiKey(auth: RegulatorAuthenticator, permission: Permission): Middleware {
  return async (ctx, next) => {
    const principal = await auth.identify(ctx.get('x-api-key') || undefined, String(ctx.state.clientIp ?? ctx.ip), (matched) => {
      ctx.state.regulator = matched;
    });
    const decision = await auth.limit(principal);
    if (decision) {
      ctx.set('X-RateLimit-Limit', String(decision.limit));
      ctx.set('X-RateLimit-Remaining', String(decision.remaining));
      ctx.set('X-RateLimit-Reset', String(decision.resetSeconds));
      if (!decision.allowed) throw rateLimitedError(decision);
    }
    auth.authorize(principal, permission);
    await next();
  };
}

export const regulatorOf = (ctx: Context): RegulatorPrincipal => ctx.state.regulator as RegulatorPrincipal;
