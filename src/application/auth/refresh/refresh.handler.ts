import type { AccessTokenIssuer, IssuedAccessToken } from '../../ports/access-token.ts';
import { revokedSessionKey, revokedSessionTtlSeconds } from '../../ports/access-token.ts';
import type { KeyValueStore } from '../../ports/key-value-store.ts';
import { invalidRefreshToken, refreshTokenRequired, refreshTokenReused } from '../../../domain/identity/identity.errors.ts';
import { hashRefreshToken, newRefreshToken } from '../../../domain/identity/refresh-token.ts';
import { rotate, type RotationOutcome } from '../../../domain/identity/refresh-token-family.ts';
import type { RefreshTokenFamilyRepository } from '../../../domain/identity/refresh-token-family.repository.ts';
import type { UserRepository } from '../../../domain/identity/user.repository.ts';
import type { User } from '../../../domain/identity/user.ts';
import type { Session } from '../shared/session.ts';
import { sessionStore } from '../shared/session-store.ts';

export interface RefreshDeps {
  users: UserRepository;
  families: RefreshTokenFamilyRepository;
  accessTokens: AccessTokenIssuer;
  kv: KeyValueStore;
  refreshTtlSeconds: number;
  accessTtlSeconds: number;
  /** A session (family) ends this long after its login, however often it is refreshed. */
  sessionMaxSeconds?: number;
  now?: () => Date;
}

/**
 * Exchanges a refresh token for a new access token and a new refresh token (rotation), under the
 * family's row lock in PostgreSQL. A token that was already exchanged revokes its whole family
 * and marks the session revoked in Redis — every access token the family ever issued stops
 * working at once — and answers REFRESH_TOKEN_REUSED.
 */
export class RefreshHandler {
  private readonly deps: RefreshDeps;

  constructor(deps: RefreshDeps) {
    this.deps = deps;
  }

  async execute(refreshToken: string | undefined): Promise<{ user: User; session: Session }> {
    if (!refreshToken) throw refreshTokenRequired();
    const { users, families, accessTokens, kv } = this.deps;
    const now = this.deps.now?.() ?? new Date();
    const hash = hashRefreshToken(refreshToken);
    const next = newRefreshToken();

    type Result = { outcome: RotationOutcome; user?: User; access?: IssuedAccessToken; revokedAt?: Date | null; sessionId?: string };
    const result = await families.updateByTokenHash<Result>(hash, async (family) => {
      if (!family) return { result: { outcome: { kind: 'unknown' } } };
      const user = await users.findById(family.userId);
      if (!user) return { result: { outcome: { kind: 'unknown' } } };
      const access = accessTokens.issue({ userId: user.id, username: user.username, role: user.role, sessionId: family.id });
      const sliding = now.getTime() + this.deps.refreshTtlSeconds * 1000;
      const absolute = this.deps.sessionMaxSeconds ? family.createdAt.getTime() + this.deps.sessionMaxSeconds * 1000 : Number.POSITIVE_INFINITY;
      const expiresAt = new Date(Math.min(sliding, absolute));
      const outcome = rotate(family, hash, { hash: hashRefreshToken(next), accessJti: access.jti, expiresAt }, now);
      const save = outcome.kind === 'rotated' || outcome.kind === 'reused' ? outcome.family : undefined;
      return { save, result: { outcome, user, access, revokedAt: family.revokedAt, sessionId: family.id } };
    });

    const { outcome, user, access } = result;
    const ttl = revokedSessionTtlSeconds(this.deps.accessTtlSeconds);
    switch (outcome.kind) {
      case 'rotated':
        return {
          user: user!,
          session: {
            sessionId: outcome.family.id,
            accessToken: access!.token,
            accessJti: access!.jti,
            expiresIn: access!.expiresIn,
            refreshToken: next,
            refreshExpiresIn: this.deps.refreshTtlSeconds,
          },
        };
      case 'reused':
        // The thief may hold any access token of the family: they all die now. The family is revoked
        // in PostgreSQL already; if Redis cannot take the mark the answer is 503 (fail closed), and
        // the next attempt with any of the family's refresh tokens writes it (case 'revoked').
        await sessionStore(() => kv.set(revokedSessionKey(outcome.family.id), 'REUSE_DETECTED', ttl));
        throw refreshTokenReused();
      case 'revoked':
        // Re-assert the session's mark while its access tokens can still be alive: a mark lost to a
        // Redis failure at revocation time is written again here.
        if (result.revokedAt && now.getTime() - result.revokedAt.getTime() < ttl * 1000) {
          await sessionStore(() => kv.set(revokedSessionKey(result.sessionId!), 'REVOKED', ttl));
        }
        throw invalidRefreshToken('refresh token has been revoked; log in again');
      case 'expired':
        throw invalidRefreshToken('refresh token has expired; log in again');
      default:
        throw invalidRefreshToken();
    }
  }
}
