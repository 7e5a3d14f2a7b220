import type { Middleware } from 'koa';
import type { AccessTokenVerifier, Actor } from '../../application/ports/access-token.ts';
import type { CurrentRoles } from '../../application/ports/current-roles.ts';
import { CommonErrors } from '../../domain/shared/common.errors.ts';

export const ACCESS_COOKIE = 'auth-token';
export const REFRESH_COOKIE = 'refresh-token';

/** The access token from `Authorization: Bearer …`, or else the `auth-token` cookie. */
export function accessTokenFrom(authorization: string, cookie: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  if (m) return m[1];
  return cookie || undefined;
}

/** Verifies the caller's access token at the service (even behind Kong) and sets `ctx.state.actor`. */
export function authenticate(verifier: AccessTokenVerifier): Middleware {
  return async (ctx, next) => {
    const token = accessTokenFrom(ctx.get('authorization'), ctx.cookies.get(ACCESS_COOKIE));
    if (!token) throw CommonErrors.unauthenticated();
    ctx.state.actor = await verifier.verify(token);
    await next();
  };
}

/** The token must carry the role, and the user must still hold it now (a role change takes effect at once). */
export function requireRole(role: Actor['role'], roles: CurrentRoles): Middleware {
  return async (ctx, next) => {
    const actor = ctx.state.actor as Actor | undefined;
    if (!actor) throw CommonErrors.unauthenticated();
    if (actor.role !== role || (await roles.roleOf(actor.userId)) !== role) throw CommonErrors.forbidden(`requires role ${role}`);
    await next();
  };
}

/** The authenticated actor; only valid behind `authenticate`. */
export function actorOf(ctx: { state: { actor?: Actor } }): Actor {
  if (!ctx.state.actor) throw CommonErrors.unauthenticated();
  return ctx.state.actor;
}
