import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import type { HttpMetrics } from './metrics.ts';

const VALID_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Request id (echoed when the client sent a sane one), a child logger carrying it, an access log line and metrics. */
export function requestContext(logger: Logger, metrics: HttpMetrics): Middleware {
  return async (ctx, next) => {
    const incoming = ctx.get('x-request-id');
    const requestId = VALID_ID.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = requestId;
    ctx.set('X-Request-Id', requestId);
    ctx.state.logger = logger.child({ request_id: requestId });
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = (ctx as { _matchedRoute?: string })._matchedRoute ?? 'unmatched';
      metrics.observe(ctx.method, String(route), ctx.status, seconds);
      if (!ctx.path.startsWith('/healthz') && !ctx.path.startsWith('/metrics')) {
        ctx.state.logger.info({ method: ctx.method, route, status: ctx.status, duration_ms: Math.round(seconds * 1000) }, 'request');
      }
    }
  };
}
