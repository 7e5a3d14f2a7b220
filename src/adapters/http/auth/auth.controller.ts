import type Router from '@koa/router';
import type { Context } from 'koa';
import type { AccessTokenIssuer, AccessTokenVerifier } from '../../../application/ports/access-token.ts';
import type { GetProfileHandler } from '../../../application/auth/get-profile/get-profile.handler.ts';
import type { LoginHandler } from '../../../application/auth/login/login.handler.ts';
import type { LogoutHandler } from '../../../application/auth/logout/logout.handler.ts';
import type { RefreshHandler } from '../../../application/auth/refresh/refresh.handler.ts';
import type { RegisterHandler } from '../../../application/auth/register/register.handler.ts';
import type { Session } from '../../../application/auth/shared/session.ts';
import type { AccountSummary, User } from '../../../domain/identity/user.ts';
import { REFRESH_COOKIE, actorOf, authenticate } from '../authenticate.ts';
import { respond } from '../envelope.ts';
import type { OpenApiRegistry } from '../openapi.ts';
import { defineRoute } from '../route.ts';
import { clearSessionCookies, setSessionCookies, type CookiePolicy } from './auth-cookies.ts';
import { LoginRequest, LogoutRequest, RefreshRequest, RegisterRequest } from './auth.requests.ts';

export interface AuthControllerDeps {
  register: RegisterHandler;
  login: LoginHandler;
  refresh: RefreshHandler;
  logout: LogoutHandler;
  profile: GetProfileHandler;
  accessTokens: AccessTokenIssuer & AccessTokenVerifier;
  cookies: CookiePolicy;
}

const TAG = 'auth';

const accountJson = (a: AccountSummary) => ({ id: a.id, balance: a.balance.toString(), currency: a.currency, account_status: a.accountStatus });
const userJson = (u: User) => ({ id: u.id, username: u.username, email: u.email, phone: u.phone, created_at: u.createdAt.toISOString() });
const tokensJson = (s: Session) => ({
  access_token: s.accessToken,
  refresh_token: s.refreshToken,
  token_type: 'Bearer',
  expires_in: s.expiresIn,
  refresh_expires_in: s.refreshExpiresIn,
});

/** The /api/auth routes of ../shared/API.md. */
export function mountAuthRoutes(router: Router, openapi: OpenApiRegistry, deps: AuthControllerDeps): void {
  const requireAccess = authenticate(deps.accessTokens);

  defineRoute(
    router,
    openapi,
    {
      method: 'post',
      path: '/api/auth/register',
      summary: 'Register a user and open its ACTIVE IDR account (balance 0.00)',
      tag: TAG,
      security: 'none',
      body: RegisterRequest,
      responses: { 201: 'registered', 400: 'validation failed (VALIDATION_ERROR), or a username that looks like a phone number or an email (USERNAME_LOOKS_LIKE_PHONE_OR_EMAIL)', 409: 'username, email or phone already registered (USERNAME_/EMAIL_/PHONE_ALREADY_EXISTS)', 429: 'too many registrations from this address (Retry-After)' },
    },
    async (ctx, { body }) => {
      const { user, account } = await deps.register.execute(body, ctx.state.clientIp as string | undefined);
      respond(ctx, 201, 'registration successful', { ...userJson(user), account: accountJson(account) });
    },
  );

  defineRoute(
    router,
    openapi,
    {
      method: 'post',
      path: '/api/auth/login',
      summary: 'Log in with username, email or phone; sets the auth-token and refresh-token cookies',
      tag: TAG,
      security: 'none',
      body: LoginRequest,
      responses: { 200: 'logged in', 400: 'validation failed', 401: 'INVALID_CREDENTIALS', 429: 'TOO_MANY_LOGIN_ATTEMPTS (Retry-After)' },
    },
    async (ctx, { body }) => {
      const { session } = await deps.login.execute({ identifier: body.username, password: body.password, clientIp: clientIpOf(ctx) });
      setSessionCookies(ctx, session, deps.cookies);
      respond(ctx, 200, 'login successful', tokensJson(session));
    },
  );

  defineRoute(
    router,
    openapi,
    {
      method: 'put',
      path: '/api/auth/refresh',
      summary: 'Exchange a refresh token (body or refresh-token cookie) for a new access token and a new refresh token',
      tag: TAG,
      security: 'refresh',
      body: RefreshRequest,
      responses: { 200: 'rotated', 401: 'REFRESH_TOKEN_REQUIRED, INVALID_REFRESH_TOKEN or REFRESH_TOKEN_REUSED (the family is revoked)' },
    },
    async (ctx, { body }) => {
      const { session } = await deps.refresh.execute(body.refresh_token ?? ctx.cookies.get(REFRESH_COOKIE));
      setSessionCookies(ctx, session, deps.cookies);
      respond(ctx, 200, 'token refreshed', tokensJson(session));
    },
  );

  defineRoute(
    router,
    openapi,
    {
      method: 'delete',
      path: '/api/auth/logout',
      summary: 'Log out: revoke the refresh family, deny the access token at once, clear the cookies',
      tag: TAG,
      security: 'bearer',
      body: LogoutRequest,
      responses: { 200: 'logged out', 401: 'missing or invalid access token' },
      middleware: [requireAccess],
    },
    async (ctx, { body }) => {
      await deps.logout.execute(actorOf(ctx), body.refresh_token ?? ctx.cookies.get(REFRESH_COOKIE));
      clearSessionCookies(ctx, deps.cookies);
      respond(ctx, 200, 'logout successful', null);
    },
  );

  defineRoute(
    router,
    openapi,
    {
      method: 'get',
      path: '/api/auth/me',
      summary: "The caller's own profile and account",
      tag: TAG,
      security: 'bearer',
      responses: { 200: 'profile', 401: 'missing or invalid access token', 404: 'USER_NOT_FOUND' },
      middleware: [requireAccess],
    },
    async (ctx) => {
      const { user, account } = await deps.profile.execute(actorOf(ctx).userId);
      respond(ctx, 200, 'profile', {
        ...userJson(user),
        role: user.role,
        updated_at: user.updatedAt.toISOString(),
        account: account ? accountJson(account) : null,
      });
    },
  );

  defineRoute(
    router,
    openapi,
    {
      method: 'get',
      path: '/api/auth/.well-known/jwks.json',
      summary: 'The public keys (JWKS, RFC 7517: a bare {keys: [...]} document, not the envelope) that verify access tokens',
      tag: TAG,
      security: 'none',
      responses: { 200: 'JWK set' },
    },
    async (ctx) => {
      // A standard JWKS document so that Kong and any JOSE library can consume it as is.
      ctx.set('Cache-Control', 'public, max-age=300');
      ctx.body = deps.accessTokens.jwks();
    },
  );
}

function clientIpOf(ctx: Context): string {
  return (ctx.state.clientIp as string | undefined) || 'unknown';
}
