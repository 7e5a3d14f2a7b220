import { randomBytes } from 'node:crypto';
import type { Container } from 'inversify';
import type { ServiceModule } from '../shared/service-module.ts';
import type { Infrastructure } from '../shared/infrastructure.ts';
import { TOKENS } from '../shared/tokens.ts';
import type { Config } from '../shared/config.ts';
import type { JwtAccessTokenService } from '../../adapters/security/jwt-access-token.service.ts';
import { Argon2PasswordHasher } from '../../adapters/security/argon2-password-hasher.ts';
import { PostgresUserRepository } from '../../adapters/persistence/identity/postgres-user.repository.ts';
import { PostgresRefreshTokenFamilyRepository } from '../../adapters/persistence/identity/postgres-refresh-token-family.repository.ts';
import { OutboxIdentityEventLog } from '../../adapters/persistence/identity/outbox-identity-event-log.ts';
import type { OutboxRelay } from '../../adapters/persistence/outbox-relay.ts';
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

/** Container ids of the auth module. */
export const AUTH = {
  Users: Symbol.for('auth.Users'),
  Families: Symbol.for('auth.RefreshTokenFamilies'),
  Hasher: Symbol.for('auth.PasswordHasher'),
  Throttle: Symbol.for('auth.LoginThrottle'),
  Register: Symbol.for('auth.Register'),
  Login: Symbol.for('auth.Login'),
  Refresh: Symbol.for('auth.Refresh'),
  Logout: Symbol.for('auth.Logout'),
  Profile: Symbol.for('auth.GetProfile'),
  EnsureDemoUser: Symbol.for('auth.EnsureDemoUser'),
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

export const argon2Params = (config: Config) => ({ memoryKiB: config.ARGON2_MEMORY_KIB, iterations: config.ARGON2_ITERATIONS, parallelism: config.ARGON2_PARALLELISM });

/** The auth service: registration, login, rotating refresh tokens, logout, profile, JWKS. */
export const authModule: ServiceModule = {
  name: 'auth',
  bind(container: Container, infra: Infrastructure) {
    const { config, orm, kv } = infra;
    const accessTokens = container.get<JwtAccessTokenService>(TOKENS.AccessTokens);
    const users = new PostgresUserRepository(orm, { topic: config.KAFKA_TOPIC_USERS });
    const families = new PostgresRefreshTokenFamilyRepository(orm);
    const hasher = new Argon2PasswordHasher(argon2Params(config));
    const throttle = new LoginThrottle(kv);
    // The relay is bound after the modules; poke it lazily so login events leave promptly.
    const events = new OutboxIdentityEventLog(orm, {
      topic: config.KAFKA_TOPIC_USERS,
      onAppended: () => {
        if (container.isBound(TOKENS.OutboxRelay)) container.get<OutboxRelay>(TOKENS.OutboxRelay).poke();
      },
    });
    const sessions = new SessionStarter({ accessTokens, families, refreshTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS });

    container.bind(AUTH.Users).toConstantValue(users);
    container.bind(AUTH.Families).toConstantValue(families);
    container.bind(AUTH.Hasher).toConstantValue(hasher);
    container.bind(AUTH.Throttle).toConstantValue(throttle);
    container.bind(AUTH.Register).toConstantValue(new RegisterHandler({ users, hasher, limit: { kv: infra.kv, perHour: config.REGISTRATIONS_PER_IP_PER_HOUR } }));
    container.bind(AUTH.Login).toConstantValue(new LoginHandler({ users, hasher, throttle, sessions, events }));
    container.bind(AUTH.Refresh).toConstantValue(
      new RefreshHandler({ users, families, accessTokens, kv, refreshTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS, accessTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS, sessionMaxSeconds: config.SESSION_MAX_SECONDS }),
    );
    container.bind(AUTH.Logout).toConstantValue(new LogoutHandler({ families, kv, accessTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS }));
    container.bind(AUTH.Profile).toConstantValue(new GetProfileHandler({ users }));
    container.bind(AUTH.EnsureDemoUser).toConstantValue(new EnsureDemoUserHandler({ users, hasher }));
  },
  routes(router, openapi, container) {
    mountAuthRoutes(router, openapi, {
      register: container.get(AUTH.Register),
      login: container.get(AUTH.Login),
      refresh: container.get(AUTH.Refresh),
      logout: container.get(AUTH.Logout),
      profile: container.get(AUTH.Profile),
      accessTokens: container.get(TOKENS.AccessTokens),
      cookies: cookiePolicy(container.get<Config>(TOKENS.Config)),
    });
  },
  async start(container) {
    // The dummy hash that unknown-user logins verify against, made before the first request.
    await container.get<LoginHandler>(AUTH.Login).warmUp();
  },
};

/**
 * The embedded default's demo user: created if missing, with a fresh random password each start,
 * returned so the all-in-one entrypoint can print it. Null (and nothing created) anywhere else.
 */
export async function ensureDemoUser(container: Container): Promise<{ username: string; password: string } | null> {
  const config = container.get<Config>(TOKENS.Config);
  if (!config.embedded || config.NODE_ENV === 'production' || config.DEMO_SEED === false || !container.isBound(AUTH.EnsureDemoUser)) return null;
  const { username, password } = await container.get<EnsureDemoUserHandler>(AUTH.EnsureDemoUser).execute(randomBytes(12).toString('base64url'));
  return { username, password };
}
