/** Who is calling, as an access token proves it. */
export interface Actor {
  userId: number;
  username: string;
  role: 'USER' | 'ADMIN';
  /** The token's id: logout denies it until `expiresAt`. */
  jti: string;
  /** Seconds since the epoch. */
  expiresAt: number;
}

export interface IssuedAccessToken {
  token: string;
  jti: string;
  expiresIn: number;
}

export interface AccessTokenIssuer {
  issue(subject: { userId: number; username: string; role: 'USER' | 'ADMIN' }): IssuedAccessToken;
  /** The public keys, as a JWKS document, for the services that verify. */
  jwks(): { keys: Record<string, unknown>[] };
}

export interface AccessTokenVerifier {
  /** Resolves the actor, or throws DomainError (unauthenticated) for any token that is not a valid, live access token. */
  verify(token: string): Promise<Actor>;
}

/** The key-value entry that marks an access token's jti as revoked (logout) until the token expires. */
export const deniedJtiKey = (jti: string): string => `auth:denied-jti:${jti}`;
