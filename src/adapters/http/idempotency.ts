import { createHash } from 'node:crypto';
import type { Middleware } from 'koa';
import type { Actor } from '../../application/ports/access-token.ts';
import { idempotencyRecord, type IdempotencyClaim, type IdempotencyStore } from '../../application/ports/idempotency.ts';
import type { UnitOfWork } from '../../domain/shared/unit-of-work.ts';
import { DomainError } from '../../domain/shared/domain-error.ts';
import { STATUS_BY_KIND } from './error-mapper.ts';
import { isJsonNumber } from './json-number.ts';
import { IdempotencyErrors } from '../../application/ports/idempotency.errors.ts';
import { CommonErrors } from '../../domain/shared/common.errors.ts';

export interface IdempotentResponse {
  status: number;
  message: string;
  data: unknown;
  meta?: Record<string, unknown>;
}

/** What a money-moving handler gets on `ctx.state.idempotency` when the client sent an Idempotency-Key. */
export interface RequestIdempotency {
  /**
   * The unit of work that stores the response (from the effect's result) with the effect: the
   * record commits if and only if the effect does; a lost claim rolls the effect back.
   * `mode: 'update'` replaces the response of a key completed earlier (a pending top-up settled).
   */
  unit<R>(response: (result: R) => IdempotentResponse, mode?: 'complete' | 'update'): UnitOfWork<R>;
  /** Replaces the stored response on its own, after the effect (a webhook settled the top-up first). */
  update(response: IdempotentResponse): Promise<void>;
  readonly completed: boolean;
}

const KEY = /^[\x21-\x7e]{1,255}$/;
// Refusals that are the request's final answer are remembered and replayed; failures that may pass
// on a retry (dependencies down, timeouts, conflicts, malformed input) release the key instead.
const STORED_KINDS = new Set(['business_rule', 'forbidden', 'not_found', 'invalid']);

const envelope = (r: IdempotentResponse) => ({ meta: { code: String(r.status), message: r.message, ...(r.meta ?? {}) }, data: r.data ?? null });

/** Canonical JSON (sorted keys), so that the same body in another key order is the same request. */
function canonical(value: unknown): string {
  if (isJsonNumber(value)) return value.rawJSON;
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The Idempotency-Key semantics of the API contract, for one route (mount it after `authenticate`):
 * the same key from the same user on the same route with the same body replays the stored first
 * response; another body → 422 IDEMPOTENCY_KEY_REUSED; while the first is running → 409
 * IDEMPOTENCY_KEY_IN_FLIGHT. Without the header the request runs normally.
 */
export function idempotent(store: IdempotencyStore, route: string): Middleware {
  return async (ctx, next) => {
    const key = ctx.get('idempotency-key');
    if (!key) return next();
    if (!KEY.test(key)) throw IdempotencyErrors.invalidIdempotencyKey();
    const actor = ctx.state.actor as Actor | undefined;
    if (!actor) throw CommonErrors.unauthenticated();
    const requestHash = createHash('sha256')
      .update(`${ctx.method} ${ctx.path}\n${canonical((ctx.request as { body?: unknown }).body ?? {})}`)
      .digest('hex');
    const begun = await store.begin({ userId: actor.userId, route, key, requestHash });
    if (begun.kind === 'replay') {
      ctx.status = begun.response.status;
      ctx.body = begun.response.body;
      ctx.set('Idempotent-Replayed', 'true');
      return;
    }
    const claim: IdempotencyClaim = begun.claim;
    let completed = false;
    const handle: RequestIdempotency = {
      unit: (response, mode = 'complete') => ({
        idempotency: (result) => {
          const r = response(result);
          return idempotencyRecord(claim, mode, { status: r.status, body: envelope(r) });
        },
        committed: () => {
          completed = true;
        },
      }),
      update: (response) => store.update(claim, { status: response.status, body: envelope(response) }),
      get completed() {
        return completed;
      },
    };
    ctx.state.idempotency = handle;
    try {
      await next();
    } catch (err) {
      if (!completed) {
        if (err instanceof DomainError && STORED_KINDS.has(err.kind)) {
          const status = STATUS_BY_KIND[err.kind];
          await store
            .complete(claim, {
              status,
              body: {
                meta: { code: String(status), message: err.message, error: err.code, ...(err.details?.facts ? { details: err.details.facts } : {}) },
                data: null,
              },
            })
            .catch(() => store.release(claim));
        } else {
          await store.release(claim).catch(() => {});
        }
      }
      throw err;
    }
    if (!completed) await store.complete(claim, { status: ctx.status, body: ctx.body });
  };
}
