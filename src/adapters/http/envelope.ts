import type { Context } from 'koa';

/** The API's one envelope: `{meta: {code, message, ...}, data}`; `meta.code` is the HTTP status as a string. */
export function respond(ctx: Context, status: number, message: string, data: unknown, meta: Record<string, unknown> = {}): void {
  ctx.status = status;
  ctx.body = { meta: { code: String(status), message, ...meta }, data: data ?? null };
}

export function respondError(
  ctx: Context,
  status: number,
  error: string,
  message: string,
  extra: { errors?: { field: string; message: string }[]; details?: Record<string, unknown> } = {},
): void {
  ctx.status = status;
  ctx.body = {
    meta: {
      code: String(status),
      message,
      error,
      request_id: ctx.state.requestId,
      ...(extra.errors ? { errors: extra.errors } : {}),
      ...(extra.details ? { details: extra.details } : {}),
    },
    data: null,
  };
}
