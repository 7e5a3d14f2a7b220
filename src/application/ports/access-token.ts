/** Who is calling, as an access token proves it. */
export interface Actor {
  userId: number;
  username: string;
  role: 'USER' | 'ADMIN';
  /** The token's id. */
  jti: string;
  /** The session (refresh-token family) that issued the token: logout and reuse detection revoke it, and with it every token it issued. */
  sessionId: string;
  /** Seconds since the epoch. */
  expiresAt: number;
}

export interface IssuedAccessToken {
  token: string;
  jti: string;
  expiresIn: number;
}

export interface AccessTokenSubject {
  userId: number;
  username: string;
  role: 'USER' | 'ADMIN';
  /** The refresh-token family the token belongs to (its `sid` claim). */
  sessionId: string;
}

export interface AccessTokenIssuer {
  issue(subject: AccessTokenSubject): IssuedAccessToken;
  /** The public keys, as a JWKS document, for the services that verify. */
  jwks(): { keys: Record<string, unknown>[] };
}

export interface AccessTokenVerifier {
  /** Resolves the actor, or throws DomainError (unauthenticated) for any token that is not a valid, live access token. */
  verify(token: string): Promise<Actor>;
}

/**
 * The key-value entry that marks a session (refresh-token family) as ended — logout, refresh-token
 * reuse: every access token carrying this `sid` is refused, whichever of the session's tokens it is.
 * It must outlive the session's newest access token: see `revokedSessionTtlSeconds`.
 */
export const revokedSessionKey = (sessionId: string): string => `auth:revoked-session:${sessionId}`;

/**
 * How long a revoked-session entry lives: the newest token of the session was issued at the latest
 * now, so it expires within one access-token lifetime; a minute more covers clock skew between the
 * services that verify.
 */
export const revokedSessionTtlSeconds = (accessTtlSeconds: number): number => accessTtlSeconds + 60;
