import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { z, ZodType } from 'zod';
import type { OpenApiRegistry } from './openapi.ts';

export type Method = 'get' | 'post' | 'put' | 'delete' | 'patch';
export type Security = 'none' | 'bearer' | 'apiKey' | 'refresh' | 'signature';

export interface RouteSpec<B extends ZodType, Q extends ZodType, P extends ZodType> {
  method: Method;
  path: string;
  summary: string;
  tag: string;
  security: Security;
  body?: B;
  query?: Q;
  params?: P;
  /** Status codes this route answers with, for the OpenAPI document. */
  responses?: Record<number, string>;
  middleware?: Middleware[];
}

export interface Input<B, Q, P> {
  body: B;
  query: Q;
  params: P;
}

/**
 * Mounts a route and documents it from the same zod schemas that validate its input, so
 * /openapi.json cannot drift from what the server accepts. A validation failure throws a
 * ZodError, which the error mapper turns into a 400 listing the fields.
 */
export function defineRoute<B extends ZodType = z.ZodUnknown, Q extends ZodType = z.ZodUnknown, P extends ZodType = z.ZodUnknown>(
  router: Router,
  openapi: OpenApiRegistry,
  spec: RouteSpec<B, Q, P>,
  handler: (ctx: Context, input: Input<z.infer<B>, z.infer<Q>, z.infer<P>>) => Promise<void>,
): void {
  openapi.add(spec);
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
