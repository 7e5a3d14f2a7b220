import { randomBytes } from 'node:crypto';
import { ContainerModule, type Container } from 'inversify';
import type { ServiceModule } from '../shared/service-module.ts';
import type { Config } from '../shared/config.ts';
import { CORE, id } from '../composition/ids.ts';
import { PostgresUserRepository } from '../../adapters/persistence/identity/postgres-user.repository.ts';
import { PostgresRefreshTokenFamilyRepository } from '../../adapters/persistence/identity/postgres-refresh-token-family.repository.ts';
import { OutboxIdentityEventLog } from '../../adapters/persistence/identity/outbox-identity-event-log.ts';
import { mountAuthRoutes } from '../../adapters/http/auth/auth.controller.ts';
import type { CookiePolicy } from '../../adapters/http/auth/auth-cookies.ts';
import { RegisterHandler } from '../../application/auth/register/register.handler.ts';
import { LoginHandler } from '../../application/auth/login/login.handler.ts';
import { LoginThrottle } from '../../application/auth/login/login-throttle.ts';
import { RefreshHandler } from '../../application/auth/refresh/refresh.handler.ts';
import { LogoutHandler } from '../../application/auth/logout/logout.handler.ts';
import { GetProfileHandler } from '../../application/auth/get-profile/get-profile.handler.ts';
import { EnsureDemoUserHandler } from '../../application/auth/ensure-demo-user/ensure-demo-user.handler.ts';
import { SessionStarter } from '../../application/auth/shared/session.ts';

export { argon2Params } from '../composition/security.module.ts';

/** Container keys of the auth context. */
export const AUTH = {
  Users: id<PostgresUserRepository>('auth.Users'),
  Families: id<PostgresRefreshTokenFamilyRepository>('auth.RefreshTokenFamilies'),
  Events: id<OutboxIdentityEventLog>('auth.IdentityEvents'),
  Throttle: id<LoginThrottle>('auth.LoginThrottle'),
  Sessions: id<SessionStarter>('auth.Sessions'),
  Register: id<RegisterHandler>('auth.Register'),
  Login: id<LoginHandler>('auth.Login'),
  Refresh: id<RefreshHandler>('auth.Refresh'),
  Logout: id<LogoutHandler>('auth.Logout'),
  Profile: id<GetProfileHandler>('auth.GetProfile'),
  EnsureDemoUser: id<EnsureDemoUserHandler>('auth.EnsureDemoUser'),
} as const;

/** Secure cookies everywhere but development, unless COOKIE_SECURE says otherwise. */
export const cookiesSecure = (config: Config): boolean => config.COOKIE_SECURE ?? config.NODE_ENV !== 'development';

/** The session cookies' attributes from the configuration (README, "Configuration"). */
export const cookiePolicy = (config: Config): CookiePolicy => ({
  secure: cookiesSecure(config),
  sameSite: config.COOKIE_SAMESITE,
  domain: config.COOKIE_DOMAIN,
  accessPath: config.AUTH_COOKIE_PATH,
  refreshPath: config.REFRESH_COOKIE_PATH,
});

/** The auth context: users, refresh-token families, login throttling, the identity events, the handlers. */
export const authBindings = new ContainerModule(({ bind }) => {
  bind(AUTH.Users).toDynamicValue((c) => new PostgresUserRepository(c.get(CORE.Orm), { topic: c.get(CORE.Config).KAFKA_TOPIC_USERS }));
  bind(AUTH.Families).toDynamicValue((c) => new PostgresRefreshTokenFamilyRepository(c.get(CORE.Orm)));
  bind(AUTH.Throttle).toDynamicValue((c) => new LoginThrottle(c.get(CORE.KeyValueStore)));
  bind(AUTH.Events).toDynamicValue((c) => {
    const relay = c.get(CORE.OutboxRelay);
    // Poke the relay so that login events leave promptly.
    return new OutboxIdentityEventLog(c.get(CORE.Orm), { topic: c.get(CORE.Config).KAFKA_TOPIC_USERS, onAppended: () => relay.poke() });
  });
  bind(AUTH.Sessions).toDynamicValue(
    (c) =>
      new SessionStarter({
        accessTokens: c.get(CORE.AccessTokens),
        families: c.get(AUTH.Families),
        refreshTtlSeconds: c.get(CORE.Config).REFRESH_TOKEN_TTL_SECONDS,
      }),
  );
  bind(AUTH.Register).toDynamicValue(
    (c) =>
      new RegisterHandler({
        users: c.get(AUTH.Users),
        hasher: c.get(CORE.PasswordHasher),
        limit: { kv: c.get(CORE.KeyValueStore), perHour: c.get(CORE.Config).REGISTRATIONS_PER_IP_PER_HOUR },
      }),
  );
  bind(AUTH.Login).toDynamicValue(
    (c) =>
      new LoginHandler({
        users: c.get(AUTH.Users),
        hasher: c.get(CORE.PasswordHasher),
        throttle: c.get(AUTH.Throttle),
        sessions: c.get(AUTH.Sessions),
        events: c.get(AUTH.Events),
      }),
  );
  bind(AUTH.Refresh).toDynamicValue((c) => {
    const config = c.get(CORE.Config);
    return new RefreshHandler({
      users: c.get(AUTH.Users),
      families: c.get(AUTH.Families),
      accessTokens: c.get(CORE.AccessTokens),
      kv: c.get(CORE.KeyValueStore),
      refreshTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS,
      accessTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
      sessionMaxSeconds: config.SESSION_MAX_SECONDS,
    });
  });
  bind(AUTH.Logout).toDynamicValue(
    (c) => new LogoutHandler({ families: c.get(AUTH.Families), kv: c.get(CORE.KeyValueStore), accessTtlSeconds: c.get(CORE.Config).ACCESS_TOKEN_TTL_SECONDS }),
  );
  bind(AUTH.Profile).toDynamicValue((c) => new GetProfileHandler({ users: c.get(AUTH.Users) }));
  bind(AUTH.EnsureDemoUser).toDynamicValue((c) => new EnsureDemoUserHandler({ users: c.get(AUTH.Users), hasher: c.get(CORE.PasswordHasher) }));
  bind(CORE.Workers).toDynamicValue((c) => {
    const login = c.get(AUTH.Login);
    // The dummy hash that unknown-user logins verify against, made before the first request.
    return { name: 'auth warm-up', start: () => login.warmUp(), stop: () => {} };
  });
});

/** The auth service: registration, login, rotating refresh tokens, logout, profile, JWKS. */
export const authModule: ServiceModule = {
  name: 'auth',
  modules: [authBindings],
  routes(router, openapi, container) {
    mountAuthRoutes(router, openapi, {
      register: container.get(AUTH.Register),
      login: container.get(AUTH.Login),
      refresh: container.get(AUTH.Refresh),
      logout: container.get(AUTH.Logout),
      profile: container.get(AUTH.Profile),
      accessTokens: container.get(CORE.AccessTokens),
      cookies: cookiePolicy(container.get(CORE.Config)),
    });
  },
};

/**
 * The embedded default's demo user: created if missing, with a fresh random password each start,
 * returned so the all-in-one entrypoint can print it. Null (and nothing created) anywhere else.
 */
export async function ensureDemoUser(container: Container): Promise<{ username: string; password: string } | null> {
  const config = container.get(CORE.Config);
  if (!config.embedded || config.NODE_ENV === 'production' || config.DEMO_SEED === false || !container.isBound(AUTH.EnsureDemoUser)) return null;
  const { username, password } = await container.get(AUTH.EnsureDemoUser).execute(randomBytes(12).toString('base64url'));
  return { username, password };
}
