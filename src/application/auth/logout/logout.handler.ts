import type { Actor } from '../../ports/access-token.ts';
import { deniedJtiKey } from '../../ports/access-token.ts';
import type { KeyValueStore } from '../../ports/key-value-store.ts';
import { hashRefreshToken } from '../../../domain/identity/refresh-token.ts';
import type { RefreshTokenFamilyRepository } from '../../../domain/identity/refresh-token-family.repository.ts';
import { sessionStore } from '../shared/session-store.ts';

export interface LogoutDeps {
  families: RefreshTokenFamilyRepository;
  kv: KeyValueStore;
  now?: () => Date;
}

/**
 * Ends a session: the access token's jti is denied until the token would expire (so it stops working
 * at once everywhere), and the refresh family is revoked — the one the given refresh token belongs
 * to, and the one that issued this access token. Another user's refresh token is ignored.
 */
export class LogoutHandler {
  private readonly deps: LogoutDeps;

  constructor(deps: LogoutDeps) {
    this.deps = deps;
  }

  async execute(actor: Actor, refreshToken?: string): Promise<void> {
    // The families first (PostgreSQL): if Redis then fails, the client gets a 503 and the session is already unrefreshable.
    if (refreshToken) await this.deps.families.revokeByTokenHash(actor.userId, hashRefreshToken(refreshToken), 'LOGOUT');
    await this.deps.families.revokeByAccessJti(actor.userId, actor.jti, 'LOGOUT');
    const nowSeconds = Math.floor((this.deps.now?.() ?? new Date()).getTime() / 1000);
    await sessionStore(() => this.deps.kv.set(deniedJtiKey(actor.jti), '1', Math.max(1, actor.expiresAt - nowSeconds)));
  }
}
