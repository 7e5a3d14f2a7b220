import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { AccessTokenIssuer, AccessTokenVerifier } from '../../../application/ports/access-token.ts';
import type { GetProfileHandler } from '../../../application/auth/get-profile/get-profile.handler.ts';
import type { LoginHandler } from '../../../application/auth/login/login.handler.ts';
import type { LogoutHandler } from '../../../application/auth/logout/logout.handler.ts';
import type { RefreshHandler } from '../../../application/auth/refresh/refresh.handler.ts';
import type { RegisterHandler } from '../../../application/auth/register/register.handler.ts';
import { REFRESH_COOKIE, actorOf, authenticate } from '../authenticate.ts';
import { respond } from '../envelope.ts';
import { GATEWAY_RATE_LIMITED, type OpenApiRegistry } from '../openapi.ts';
import { defineRoute } from '../route.ts';
import { clearSessionCookies, setSessionCookies, type CookiePolicy } from './auth-cookies.ts';
import { accountJson, JwksSchema, ProfileSchema, RegisteredUserSchema, TokensSchema, tokensJson, userJson } from './auth.dto.ts';
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

/** The /api/auth routes of ../shared/API.md. */
export function mountAuthRoutes(router: Router, openapi: OpenApiRegistry, deps: AuthControllerDeps): void {
  const requireAccess = authenticate(deps.accessTokens);

  defineRoute(
    router,
    openapi,
    {
      method: 'post',
      path: '/api/auth/register',
      operationId: 'register',
      summary: 'Register a user and open its ACTIVE IDR account (balance 0.00)',
      tag: TAG,
      security: 'none',
      body: RegisterRequest,
      bodyExample: { username: 'siti.rahma', email: 'siti@example.com', phone: '081234567890', password: 'correct horse battery staple' },
      responses: { 201: { description: 'registration successful', data: RegisteredUserSchema } },
      errors: {
        400: ['USERNAME_LOOKS_LIKE_PHONE_OR_EMAIL'],
        409: ['USERNAME_ALREADY_EXISTS', 'EMAIL_ALREADY_EXISTS', 'PHONE_ALREADY_EXISTS'],
        429: ['TOO_MANY_REGISTRATIONS'],
      },
    },
    async (ctx, { body }) => {
      const { user, account } = await deps.register.execute(body, ctx.state.clientIp as string | undefined);
      respond(ctx, 201, 'registration successful', { ...userJson(user), account: accountJson(account) } satisfies z.output<typeof RegisteredUserSchema>);
    },
  );

  defineRoute(
    router,
    openapi,
    {
      method: 'post',
      path: '/api/auth/login',
      operationId: 'login',
      summary: 'Log in with username, email or phone; sets the auth-token and refresh-token cookies',
      tag: TAG,
      security: 'none',
      body: LoginRequest,
      bodyExample: { username: 'siti.rahma', password: 'correct horse battery staple' },
      responses: { 200: { description: 'login successful', data: TokensSchema, headers: { 'Set-Cookie': 'auth-token and refresh-token, HttpOnly' } } },
      errors: { 401: ['INVALID_CREDENTIALS'], 429: ['TOO_MANY_LOGIN_ATTEMPTS'], 503: ['SESSION_STORE_UNAVAILABLE'] },
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
      operationId: 'refreshSession',
      summary: 'Exchange a refresh token (body or refresh-token cookie) for a new access token and a new refresh token',
      tag: TAG,
      security: 'refresh',
      body: RefreshRequest,
      bodyExample: { refresh_token: 'rt_4e9f1c2b8a7d6e5f4c3b2a1908f7e6d5' },
      responses: { 200: { description: 'token refreshed', data: TokensSchema, headers: { 'Set-Cookie': 'auth-token and refresh-token, HttpOnly' } } },
      errors: {
        401: {
          codes: ['REFRESH_TOKEN_REQUIRED', 'INVALID_REFRESH_TOKEN', 'REFRESH_TOKEN_REUSED'],
          description: 'Unauthorized: no refresh token, an invalid one, or a reused one (REFRESH_TOKEN_REUSED: the whole session is revoked)',
        },
        503: ['SESSION_STORE_UNAVAILABLE'],
      },
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
      operationId: 'logout',
      summary: 'Log out: revoke the refresh family, deny the access token at once, clear the cookies',
      tag: TAG,
      security: 'bearer',
      body: LogoutRequest,
      bodyExample: { refresh_token: 'rt_4e9f1c2b8a7d6e5f4c3b2a1908f7e6d5' },
      responses: { 200: { description: 'logout successful', data: z.null(), headers: { 'Set-Cookie': 'clears auth-token and refresh-token' } } },
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
      operationId: 'getProfile',
      summary: "The caller's own profile and account",
      tag: TAG,
      security: 'bearer',
      responses: { 200: { description: 'profile', data: ProfileSchema } },
      errors: { 404: ['USER_NOT_FOUND'] },
      middleware: [requireAccess],
    },
    async (ctx) => {
      const { user, account } = await deps.profile.execute(actorOf(ctx).userId);
      respond(ctx, 200, 'profile', {
        ...userJson(user),
        role: user.role,
        updated_at: user.updatedAt.toISOString(),
        account: account ? accountJson(account) : null,
      } satisfies z.output<typeof ProfileSchema>);
    },
  );

  defineRoute(
    router,
    openapi,
    {
      method: 'get',
      path: '/api/auth/.well-known/jwks.json',
      operationId: 'getJwks',
      summary: 'The public keys (JWKS, RFC 7517: a bare {keys: [...]} document, not the envelope) that verify access tokens',
      tag: TAG,
      security: 'none',
      responses: { 200: { description: 'JWK set', content: { 'application/json': { schema: JwksSchema } } } },
      errors: { 429: GATEWAY_RATE_LIMITED },
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
