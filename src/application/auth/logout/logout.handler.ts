import type { Actor } from '../../ports/access-token.ts';
import { revokedSessionKey, revokedSessionTtlSeconds } from '../../ports/access-token.ts';
import type { KeyValueStore } from '../../ports/key-value-store.ts';
import { hashRefreshToken } from '../../../domain/identity/refresh-token.ts';
import type { RefreshTokenFamilyRepository } from '../../../domain/identity/refresh-token-family.repository.ts';
import { sessionStore } from '../shared/session-store.ts';

export interface LogoutDeps {
  families: RefreshTokenFamilyRepository;
  kv: KeyValueStore;
  accessTtlSeconds: number;
}

/**
 * Ends a session, whichever of its access tokens the caller presents (the latest or one issued before
 * a refresh): the session's refresh family is revoked (no refresh works again) and the session is
 * marked revoked in the store every service verifies against (every access token of it stops working
 * at once, everywhere). The family of the given refresh token goes the same way when it is another
 * session of the same user; another user's refresh token is ignored.
 */
export class LogoutHandler {
  private readonly deps: LogoutDeps;

  constructor(deps: LogoutDeps) {
    this.deps = deps;
  }

  async execute(actor: Actor, refreshToken?: string): Promise<void> {
    // The families first (PostgreSQL): if Redis then fails, the client gets a 503 and the session is already unrefreshable.
    const sessions = new Set([actor.sessionId]);
    if (refreshToken) {
      const other = await this.deps.families.revokeByTokenHash(actor.userId, hashRefreshToken(refreshToken), 'LOGOUT');
      if (other) sessions.add(other.id);
    }
    await this.deps.families.revokeById(actor.userId, actor.sessionId, 'LOGOUT');
    const ttl = revokedSessionTtlSeconds(this.deps.accessTtlSeconds);
    for (const id of sessions) await sessionStore(() => this.deps.kv.set(revokedSessionKey(id), 'LOGOUT', ttl));
  }
}
