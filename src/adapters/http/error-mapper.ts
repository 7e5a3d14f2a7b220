import type { Middleware } from 'koa';
import { ZodError } from 'zod';
import { DomainError, type ErrorKind } from '../../domain/shared/domain-error.ts';
import { respondError } from './envelope.ts';

/** The one table that turns a domain error's kind into an HTTP status. */
export const STATUS_BY_KIND: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  business_rule: 422,
  rate_limited: 429,
  bad_gateway: 502,
  unavailable: 503,
  timeout: 504,
};

/** Errors a client can cause never become a 500; anything else is logged with its stack and answered without details. */
export function errorMapper(): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) respondError(ctx, 404, 'NOT_FOUND', 'route not found');
      else if (ctx.status === 405 && (ctx.body === undefined || typeof ctx.body === 'string')) respondError(ctx, 405, 'METHOD_NOT_ALLOWED', 'method not allowed');
    } catch (err) {
      if (err instanceof DomainError) {
        const status = STATUS_BY_KIND[err.kind];
        if (err.details?.retryAfterSeconds !== undefined) ctx.set('Retry-After', String(Math.max(1, Math.ceil(err.details.retryAfterSeconds))));
        respondError(ctx, status, err.code, err.message, err.details?.errors ? { errors: err.details.errors } : {});
        return;
      }
      if (err instanceof ZodError) {
        const errors = err.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message }));
        respondError(ctx, 400, 'VALIDATION_ERROR', 'validation failed', { errors });
        return;
      }
      if (isDependencyDown(err)) {
        ctx.state.logger?.warn({ err: (err as Error).message }, 'dependency unavailable');
        ctx.set('Retry-After', '1');
        return respondError(ctx, 503, 'DEPENDENCY_UNAVAILABLE', 'a dependency is unavailable; try again shortly');
      }
      const e = err as { status?: number; statusCode?: number; expose?: boolean; message?: string; type?: string };
      const status = e.status ?? e.statusCode;
      if (status === 413) return respondError(ctx, 413, 'PAYLOAD_TOO_LARGE', 'request body exceeds 1 MiB');
      if (status === 415) return respondError(ctx, 415, 'UNSUPPORTED_MEDIA_TYPE', 'send application/json');
      if (status && status >= 400 && status < 500) {
        return respondError(ctx, status, status === 400 ? 'BAD_REQUEST' : 'CLIENT_ERROR', e.expose && e.message ? e.message : 'bad request');
      }
      ctx.state.logger?.error({ err }, 'unhandled error');
      respondError(ctx, 500, 'INTERNAL_ERROR', 'internal error');
    }
  };
}

// PostgreSQL going away (admin shutdown, cannot connect now, connection exceptions) and Redis or
// sockets refusing: the request fails fast with 503 and the pools reconnect by themselves.
const PG_UNAVAILABLE = /^(08|57P0[123]|53300)/;
const NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTCONN']);

export function isDependencyDown(err: unknown): boolean {
  for (let e = err as { name?: string; code?: string; message?: string; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (e.name === 'ConnectionException' || e.name === 'MaxRetriesPerRequestError') return true;
    if (typeof e.code === 'string' && (NET_CODES.has(e.code) || PG_UNAVAILABLE.test(e.code))) return true;
    if (typeof e.message === 'string' && /Connection terminated|Connection is closed|enableOfflineQueue|Client has encountered a connection error|timeout exceeded when trying to connect|Command timed out/i.test(e.message)) return true;
  }
  return false;
}
