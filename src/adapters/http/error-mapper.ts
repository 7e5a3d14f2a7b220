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
      else if (ctx.status === 405 && (ctx.body === undefined || typeof ctx.body === 'string'))
        respondError(ctx, 405, 'METHOD_NOT_ALLOWED', 'method not allowed');
    } catch (err) {
      if (err instanceof DomainError) {
        const status = STATUS_BY_KIND[err.kind];
        if (err.details?.retryAfterSeconds !== undefined) ctx.set('Retry-After', String(Math.max(1, Math.ceil(err.details.retryAfterSeconds))));
        respondError(ctx, status, err.code, err.message, {
          ...(err.details?.errors ? { errors: err.details.errors } : {}),
          ...(err.details?.facts ? { details: err.details.facts } : {}),
        });
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
      if (status === 415) return respondError(ctx, 415, 'UNSUPPORTED_MEDIA_TYPE', 'request bodies must be application/json or application/*+json (UTF-8)');
      if (status && status >= 400 && status < 500) {
        return respondError(ctx, status, status === 400 ? 'BAD_REQUEST' : 'CLIENT_ERROR', e.expose && e.message ? e.message : 'bad request');
      }
      ctx.state.logger?.error({ err }, 'unhandled error');
      respondError(ctx, 500, 'INTERNAL_ERROR', 'internal error');
    }
  };
}

// PostgreSQL going away, named code by code: connection failures (08000 connection_exception,
// 08001 cannot connect, 08003 no connection, 08004 connection rejected, 08006 connection failure,
// 08007 resolution unknown), admin shutdown, crash shutdown, cannot connect now (57P01..57P03) and
// too many connections (53300). Redis or sockets refusing likewise: the request fails fast with 503
// and the pools reconnect by themselves. Not the whole 08 class: 08P01 (protocol violation) is what
// PostgreSQL answers to a value it cannot take, such as U+0000 — a bad request, not an outage.
const PG_UNAVAILABLE = new Set(['08000', '08001', '08003', '08004', '08006', '08007', '57P01', '57P02', '57P03', '53300']);
const NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTCONN']);

export function isDependencyDown(err: unknown): boolean {
  for (
    let e = err as { name?: string; code?: string; message?: string; cause?: unknown } | undefined, depth = 0;
    e && depth < 4;
    e = e.cause as typeof e, depth++
  ) {
    if (e.name === 'ConnectionException' || e.name === 'MaxRetriesPerRequestError') return true;
    if (typeof e.code === 'string' && (NET_CODES.has(e.code) || PG_UNAVAILABLE.has(e.code))) return true;
    if (
      typeof e.message === 'string' &&
      /Connection terminated|Connection is closed|enableOfflineQueue|Client has encountered a connection error|timeout exceeded when trying to connect|Command timed out/i.test(
        e.message,
      )
    )
      return true;
  }
  return false;
}
