import type { Context } from 'koa';
import { ACCESS_COOKIE, REFRESH_COOKIE } from '../authenticate.ts';

/**
 * The session cookies. HttpOnly (scripts cannot read them), SameSite=Strict (never sent on a
 * cross-site request, which closes CSRF for cookie-authenticated calls; the web client is same-site,
 * so Lax's one benefit — arriving logged-in from a link on another site — buys nothing for an API),
 * Secure per COOKIE_SECURE. The refresh cookie only travels to /api/auth. Written by hand (two
 * separate Set-Cookie headers) because Koa refuses Secure cookies on the plain HTTP that a
 * TLS-terminating gateway (Kong) forwards.
 */
export interface CookiePolicy {
  secure: boolean;
}

const ACCESS_PATH = '/api';
const REFRESH_PATH = '/api/auth';

function serialize(name: string, value: string, maxAgeSeconds: number, path: string, policy: CookiePolicy): string {
  const expires = new Date(maxAgeSeconds > 0 ? Date.now() + maxAgeSeconds * 1000 : 0).toUTCString();
  return [`${name}=${value}`, `Path=${path}`, `Max-Age=${maxAgeSeconds}`, `Expires=${expires}`, 'HttpOnly', ...(policy.secure ? ['Secure'] : []), 'SameSite=Strict'].join('; ');
}

export function setSessionCookies(ctx: Context, tokens: { accessToken: string; expiresIn: number; refreshToken: string; refreshExpiresIn: number }, policy: CookiePolicy): void {
  ctx.append('Set-Cookie', serialize(ACCESS_COOKIE, tokens.accessToken, tokens.expiresIn, ACCESS_PATH, policy));
  ctx.append('Set-Cookie', serialize(REFRESH_COOKIE, tokens.refreshToken, tokens.refreshExpiresIn, REFRESH_PATH, policy));
}

export function clearSessionCookies(ctx: Context, policy: CookiePolicy): void {
  ctx.append('Set-Cookie', serialize(ACCESS_COOKIE, '', 0, ACCESS_PATH, policy));
  ctx.append('Set-Cookie', serialize(REFRESH_COOKIE, '', 0, REFRESH_PATH, policy));
}
