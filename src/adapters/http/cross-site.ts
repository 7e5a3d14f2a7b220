import type { Context, Middleware } from 'koa';
import { ACCESS_COOKIE, REFRESH_COOKIE, accessTokenFrom } from './authenticate.ts';
import { HttpErrors } from './http.errors.ts';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Cross-site request forgery, closed at the service: a state-changing request whose credential
 * would be a session cookie (no `Authorization: Bearer`, no API key — exactly when
 * `accessTokenFrom` and the refresh route fall back to the cookies) must come from one of our own
 * pages. A browser says so in headers no page script can set: `Sec-Fetch-Site: same-origin` (or
 * `none`, typed by the user), or an `Origin` that is this host or one of ALLOWED_ORIGINS. A request
 * carrying neither header comes from no browser (every browser sends `Origin` on a cross-origin
 * POST/PUT/DELETE, and current ones `Sec-Fetch-Site` on every request), so no victim's browser can
 * have sent it: it passes. That is how a server-side client — the original web client's Next.js
 * backend, which forwards the browser's cookie from Node — keeps working; the same rule as Go's
 * `http.CrossOriginProtection`. SameSite=Strict on the cookies stays as the second layer.
 */
export function refuseCrossSiteCookieWrites(allowedOrigins: readonly string[]): Middleware {
  const allowed = new Set(allowedOrigins);
  return async (ctx, next) => {
    if (STATE_CHANGING.has(ctx.method) && authenticatesByCookie(ctx) && !fromOwnPage(ctx, allowed)) {
      throw HttpErrors.originNotAllowed();
    }
    await next();
  };
}

function authenticatesByCookie(ctx: Context): boolean {
  if (accessTokenFrom(ctx.get('authorization'), undefined) !== undefined || ctx.get('x-api-key')) return false;
  return Boolean(ctx.cookies.get(ACCESS_COOKIE) || ctx.cookies.get(REFRESH_COOKIE));
}

function fromOwnPage(ctx: Context, allowed: Set<string>): boolean {
  const site = ctx.get('sec-fetch-site').toLowerCase();
  if (site === 'same-origin' || site === 'none') return true;
  const origin = ctx.get('origin');
  if (!site && !origin) return true; // not a browser: nothing cross-site about it
  if (!origin || origin === 'null') return false;
  if (allowed.has(origin)) return true;
  try {
    // The browser sets Host to the server it talks to, so an Origin naming that host is same-origin.
    return new URL(origin).host === ctx.get('host').toLowerCase();
  } catch {
    return false;
  }
}
