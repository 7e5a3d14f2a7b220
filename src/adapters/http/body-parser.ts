import type { Middleware } from 'koa';
import { DomainError } from '../../domain/shared/domain-error.ts';

export const BODY_LIMIT_BYTES = 1024 * 1024;
const MAX_DEPTH = 32;

/**
 * Reads the body once, up to 1 MiB (413 beyond), keeps the raw bytes for webhook signatures
 * (`ctx.state.rawBody`) and parses JSON into `ctx.request.body`. Deeply nested JSON is refused.
 */
export function bodyParser(): Middleware {
  return async (ctx, next) => {
    if (!['POST', 'PUT', 'PATCH', 'DELETE'].includes(ctx.method)) return next();
    const declared = Number(ctx.get('content-length') || '0');
    if (declared > BODY_LIMIT_BYTES) throw Object.assign(new Error('payload too large'), { status: 413 });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of ctx.req) {
      size += (chunk as Buffer).length;
      if (size > BODY_LIMIT_BYTES) throw Object.assign(new Error('payload too large'), { status: 413 });
      chunks.push(chunk as Buffer);
    }
    const raw = Buffer.concat(chunks);
    ctx.state.rawBody = raw;
    if (raw.length === 0) {
      (ctx.request as { body?: unknown }).body = {};
      return next();
    }
    const type = ctx.get('content-type');
    if (type && !/json/i.test(type)) throw Object.assign(new Error('unsupported media type'), { status: 415 });
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new DomainError('MALFORMED_JSON', 'invalid', 'request body is not valid JSON');
    }
    if (depth(parsed) > MAX_DEPTH) throw new DomainError('JSON_TOO_DEEP', 'invalid', `JSON nested deeper than ${MAX_DEPTH} levels`);
    (ctx.request as { body?: unknown }).body = parsed;
    return next();
  };
}

function depth(value: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v && typeof v === 'object') {
      if (d > max) max = d;
      if (max > MAX_DEPTH) return max;
      for (const child of Object.values(v as object)) stack.push([child, d + 1]);
    }
  }
  return max;
}
