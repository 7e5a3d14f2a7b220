import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { z, ZodType } from 'zod';
import type { OpenApiRegistry } from './openapi.ts';

export type Method = 'get' | 'post' | 'put' | 'delete' | 'patch';
export type Security = 'none' | 'bearer' | 'apiKey' | 'refresh' | 'signature';

/** A 2xx answer: by default the `{meta, data}` envelope, `data` described by the schema the controller builds it with. */
export interface SuccessResponse {
  description: string;
  /** The envelope's `data` (the DTO's zod schema; `z.null()` when there is none). */
  data?: ZodType;
  /** Fields `meta` carries besides code and message (paging). */
  meta?: z.ZodObject;
  /** A real payload of `data`, when the data schema has no example of its own (or another one fits better). */
  example?: unknown;
  /** Instead of the envelope: the whole body per media type (a bare JWKS document, a streamed export). */
  content?: Record<string, { schema: ZodType; example?: unknown }>;
  /** Response headers worth knowing (name → description). */
  headers?: Record<string, string>;
}

/** A 4xx/5xx answer in the error envelope: the `meta.error` codes this status can carry on this route. */
export interface ErrorResponse {
  codes: readonly string[];
  description?: string;
  /** Fields `meta` carries besides the usual ones (a failed top-up's transaction ids). */
  meta?: z.ZodObject;
  /** The whole body, when it is not our envelope (an answer of the Kong gateway in front of us). */
  body?: ZodType;
}

export interface RouteSpec<B extends ZodType, Q extends ZodType, P extends ZodType> {
  method: Method;
  path: string;
  /** Unique in the API: the name generated clients give the call. */
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  security: Security;
  body?: B;
  /** A real request body, shown in the reference and checked against `body` by the linter. */
  bodyExample?: unknown;
  query?: Q;
  params?: P;
  /** The route honours an Idempotency-Key header (documents the header and its errors). */
  idempotent?: boolean;
  /** The success answers, by status. */
  responses: Record<number, SuccessResponse>;
  /**
   * The errors this route itself can answer, by status. The ones every route of its kind can
   * answer (validation, authentication, body limits, 500/503) are added by the registry.
   */
  errors?: Record<number, readonly string[] | ErrorResponse>;
  middleware?: Middleware[];
}

export type AnyRouteSpec = RouteSpec<ZodType, ZodType, ZodType>;

export interface Input<B, Q, P> {
  body: B;
  query: Q;
  params: P;
}

/**
 * Mounts a route and documents it from the same zod schemas that validate its input and describe
 * its output, so /openapi.json cannot drift from what the server accepts and answers. A
 * validation failure throws a ZodError, which the error mapper turns into a 400 listing the fields.
 */
export function defineRoute<B extends ZodType = z.ZodUnknown, Q extends ZodType = z.ZodUnknown, P extends ZodType = z.ZodUnknown>(
  router: Router,
  openapi: OpenApiRegistry,
  spec: RouteSpec<B, Q, P>,
  handler: (ctx: Context, input: Input<z.infer<B>, z.infer<Q>, z.infer<P>>) => Promise<void>,
): void {
  openapi.add(spec as unknown as AnyRouteSpec);
  const run: Middleware = async (ctx) => {
    const input = {
      body: spec.body ? spec.body.parse((ctx.request as { body?: unknown }).body ?? {}) : undefined,
      query: spec.query ? spec.query.parse(ctx.query) : undefined,
      params: spec.params ? spec.params.parse((ctx as { params?: unknown }).params ?? {}) : undefined,
    } as Input<z.infer<B>, z.infer<Q>, z.infer<P>>;
    await handler(ctx, input);
  };
  router[spec.method](spec.path, ...(spec.middleware ?? []), run);
}
