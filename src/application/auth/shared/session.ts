import type { AccessTokenIssuer } from '../../ports/access-token.ts';
import { newUuid } from '../../../domain/shared/ids.ts';
import { hashRefreshToken, newRefreshToken } from '../../../domain/identity/refresh-token.ts';
import { startFamily } from '../../../domain/identity/refresh-token-family.ts';
import type { RefreshTokenFamilyRepository } from '../../../domain/identity/refresh-token-family.repository.ts';
import type { User } from '../../../domain/identity/user.ts';

/** What login and refresh hand to the client. */
export interface Session {
  sessionId: string;
  accessToken: string;
  accessJti: string;
  expiresIn: number;
  refreshToken: string;
  refreshExpiresIn: number;
}

export interface SessionDeps {
  accessTokens: AccessTokenIssuer;
  families: RefreshTokenFamilyRepository;
  refreshTtlSeconds: number;
  now?: () => Date;
}

/** Starts a session: an access token and the first refresh token of a new family. */
export class SessionStarter {
  private readonly deps: SessionDeps;

  constructor(deps: SessionDeps) {
    this.deps = deps;
  }

  async start(user: User): Promise<Session> {
    const now = this.deps.now?.() ?? new Date();
    const sessionId = newUuid();
    const access = this.deps.accessTokens.issue({ userId: user.id, username: user.username, role: user.role, sessionId });
    const refreshToken = newRefreshToken();
    const family = startFamily(
      sessionId,
      user.id,
      { hash: hashRefreshToken(refreshToken), accessJti: access.jti, expiresAt: new Date(now.getTime() + this.deps.refreshTtlSeconds * 1000) },
      now,
    );
    await this.deps.families.create(family);
    return {
      sessionId: family.id,
      accessToken: access.token,
      accessJti: access.jti,
      expiresIn: access.expiresIn,
      refreshToken,
      refreshExpiresIn: this.deps.refreshTtlSeconds,
    };
  }
}
