import type { Middleware } from 'koa';
import { DomainError } from '../../domain/shared/domain-error.ts';
import { isJsonNumber, jsonNumberOf } from './json-number.ts';
import { isStorableText, unstorableText } from './storable-text.ts';
import { HttpErrors } from './http.errors.ts';

export const BODY_LIMIT_BYTES = 1024 * 1024;
const MAX_DEPTH = 32;
// Invalid UTF-8 is refused rather than silently stored as U+FFFD.
const UTF8 = new TextDecoder('utf-8', { fatal: true });

// `application/json` or a structured `application/*+json` type (RFC 6839), parameters allowed.
// Anything else — `text/plain; charset=json` included, the "simple" request a foreign page can
// send without a CORS preflight — is 415.
const JSON_MEDIA_TYPE = /^application\/(?:[a-z0-9!#$&^_.-]+\+)?json$/;

/**
 * Reads the body once, up to 1 MiB (413 beyond), keeps the raw bytes for webhook signatures
 * (`ctx.state.rawBody`) and parses JSON into `ctx.request.body`. Deeply nested JSON is refused,
 * and so is any string (or key) PostgreSQL cannot store. Numbers stay their source text
 * (`JsonNumber`), so an amount is validated on what the client wrote, never on a float.
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
    if (!isJsonMediaType(ctx.get('content-type'))) throw Object.assign(new Error('unsupported media type'), { status: 415 });
    let parsed: unknown;
    try {
      parsed = JSON.parse(UTF8.decode(raw), revive);
    } catch (err) {
      if (err instanceof DomainError) throw err;
      // Only nesting exhausts the stack while the reviver walks the value.
      if (err instanceof RangeError) throw tooDeep();
      throw HttpErrors.malformedJson();
    }
    if (depth(parsed) > MAX_DEPTH) throw tooDeep();
    (ctx.request as { body?: unknown }).body = parsed;
    return next();
  };
}

const tooDeep = () => HttpErrors.jsonTooDeep(`JSON nested deeper than ${MAX_DEPTH} levels`);

export function isJsonMediaType(contentType: string): boolean {
  const [type, ...params] = contentType.split(';').map((part) => part.trim().toLowerCase());
  if (!type || !JSON_MEDIA_TYPE.test(type)) return false;
  // The body is decoded as UTF-8 (RFC 8259 §8.1); a client announcing another charset would be misread.
  return params.every((p) => !p.startsWith('charset=') || /^charset="?utf-?8"?$/.test(p));
}

function revive(key: string, value: unknown, context?: { source?: string }): unknown {
  if (!isStorableText(key)) throw unstorableText(key.replace(/[^\x20-\x7e]/g, '?'));
  if (typeof value === 'string' && !isStorableText(value)) throw unstorableText(key);
  if (typeof value === 'number') return jsonNumberOf(context!.source!);
  return value;
}

function depth(value: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v && typeof v === 'object' && !isJsonNumber(v)) {
      if (d > max) max = d;
      if (max > MAX_DEPTH) return max;
      for (const child of Object.values(v as object)) stack.push([child, d + 1]);
    }
  }
  return max;
}
