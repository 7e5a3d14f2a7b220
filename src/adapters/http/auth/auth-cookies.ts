import type { Context } from 'koa';
import { ACCESS_COOKIE, REFRESH_COOKIE } from '../authenticate.ts';

/**
 * The session cookies. HttpOnly (scripts cannot read them), SameSite=Strict by default (never sent
 * on a cross-site request, which closes CSRF for cookie-authenticated calls), Secure per
 * COOKIE_SECURE. `auth-token` travels on Path=/ by default: a web client's own page routes (the
 * original Next.js client's middleware checks it on every page) must see it; `refresh-token` only
 * to /api/auth, the one place that takes it. Path, Domain and SameSite are configurable
 * (AUTH_COOKIE_PATH, REFRESH_COOKIE_PATH, COOKIE_DOMAIN, COOKIE_SAMESITE). Written by hand (two
 * separate Set-Cookie headers) because Koa refuses Secure cookies on the plain HTTP that a
 * TLS-terminating gateway (Kong) forwards.
 */
export interface CookiePolicy {
  secure: boolean;
  /** Default Strict. None needs Secure (browsers drop it otherwise; the configuration refuses it). */
  sameSite?: 'Strict' | 'Lax' | 'None';
  /** Unset: a host-only cookie (the usual choice); set: sent to that domain and its subdomains. */
  domain?: string;
  /** Default `/`. */
  accessPath?: string;
  /** Default `/api/auth`. */
  refreshPath?: string;
}

export const DEFAULT_ACCESS_PATH = '/';
export const DEFAULT_REFRESH_PATH = '/api/auth';

function serialize(name: string, value: string, maxAgeSeconds: number, path: string, policy: CookiePolicy): string {
  const expires = new Date(maxAgeSeconds > 0 ? Date.now() + maxAgeSeconds * 1000 : 0).toUTCString();
  return [
    `${name}=${value}`,
    `Path=${path}`,
    ...(policy.domain ? [`Domain=${policy.domain}`] : []),
    `Max-Age=${maxAgeSeconds}`,
    `Expires=${expires}`,
    'HttpOnly',
    ...(policy.secure ? ['Secure'] : []),
    `SameSite=${policy.sameSite ?? 'Strict'}`,
  ].join('; ');
}

const paths = (policy: CookiePolicy) => ({ access: policy.accessPath ?? DEFAULT_ACCESS_PATH, refresh: policy.refreshPath ?? DEFAULT_REFRESH_PATH });

export function setSessionCookies(
  ctx: Context,
  tokens: { accessToken: string; expiresIn: number; refreshToken: string; refreshExpiresIn: number },
  policy: CookiePolicy,
): void {
  const p = paths(policy);
  ctx.append('Set-Cookie', serialize(ACCESS_COOKIE, tokens.accessToken, tokens.expiresIn, p.access, policy));
  ctx.append('Set-Cookie', serialize(REFRESH_COOKIE, tokens.refreshToken, tokens.refreshExpiresIn, p.refresh, policy));
}

/** Clears them with the same Path and Domain they were set with (a cookie is only replaced by an exact match). */
export function clearSessionCookies(ctx: Context, policy: CookiePolicy): void {
  const p = paths(policy);
  ctx.append('Set-Cookie', serialize(ACCESS_COOKIE, '', 0, p.access, policy));
  ctx.append('Set-Cookie', serialize(REFRESH_COOKIE, '', 0, p.refresh, policy));
}
