import { createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { AccessTokenIssuer, AccessTokenSubject, AccessTokenVerifier, Actor, IssuedAccessToken } from '../../application/ports/access-token.ts';
import { revokedSessionKey } from '../../application/ports/access-token.ts';
import type { KeyValueStore } from '../../application/ports/key-value-store.ts';
import type { JwtKeys } from './jwt-keys.ts';
import { thumbprint } from './jwt-keys.ts';
import { BoundedMap } from '../bounded-map.ts';
import { IdentityErrors } from '../../domain/identity/identity.errors.ts';
import { CommonErrors } from '../../domain/shared/common.errors.ts';

// Only ES256 is accepted: `none`, HS256 (the RS/HS confusion) and any other algorithm are refused before verification.
const ALGORITHMS: jwt.Algorithm[] = ['ES256'];

export interface JwtOptions {
  issuer: string;
  audience: string;
  ttlSeconds: number;
  /** Where verifying services fetch the auth service's keys when they are not configured. */
  jwksUrl?: string;
}

const invalid = (why = 'invalid or expired access token') => CommonErrors.invalidToken(why);

/** Verified tokens kept (about 1 KiB each): a replica's active users over one access-token lifetime. */
const VERIFIED_MAX = 10_000;

/**
 * Issues and verifies the platform's access tokens (ES256 JWTs with kid, iss, aud, sub,
 * username, role, sid, jti, typ=access). Verification also checks, in one Redis read, the token's
 * session (`sid`, the refresh-token family) against the revocation entries that logout and
 * refresh-token reuse write — one entry ends every token of the session, whichever was presented.
 * When that store is unreachable the check fails closed (503), because a logged-out token must not
 * work again just because Redis is down.
 */
export class JwtAccessTokenService implements AccessTokenIssuer, AccessTokenVerifier {
  private readonly keys: JwtKeys;
  private readonly opts: JwtOptions;
  private readonly kv: KeyValueStore;
  private jwksFetchedAt = 0;
  private jwksInFlight: Promise<boolean> | undefined;

  constructor(keys: JwtKeys, opts: JwtOptions, kv: KeyValueStore) {
    this.keys = keys;
    this.opts = opts;
    this.kv = kv;
  }

  issue(subject: AccessTokenSubject): IssuedAccessToken {
    if (!this.keys.signing) throw new Error('this deployment has no signing key (JWT_PRIVATE_KEY)');
    const jti = randomUUID();
    const token = jwt.sign({ username: subject.username, role: subject.role, sid: subject.sessionId, typ: 'access' }, this.keys.signing.key, {
      algorithm: 'ES256',
      keyid: this.keys.signing.kid,
      issuer: this.opts.issuer,
      audience: this.opts.audience,
      subject: String(subject.userId),
      expiresIn: this.opts.ttlSeconds,
      jwtid: jti,
    });
    return { token, jti, expiresIn: this.opts.ttlSeconds };
  }

  jwks(): { keys: Record<string, unknown>[] } {
    return {
      keys: this.keys.verification.map((v) => ({ ...(v.key.export({ format: 'jwk' }) as object), kid: v.kid, use: 'sig', alg: 'ES256' })),
    };
  }

  async verify(token: string): Promise<Actor> {
    const actor = this.verifiedBefore(token) ?? this.remember(token, await this.verifySignature(token));
    // The session's revocation is checked on every request, whether or not the signature was verified before.
    let revoked: string | null;
    try {
      revoked = await this.kv.get(revokedSessionKey(actor.sessionId));
    } catch {
      throw CommonErrors.sessionStoreUnavailable();
    }
    if (revoked) throw invalid('access token has been revoked');
    return actor;
  }

  /**
   * Tokens whose signature and claims were verified, by their exact text, until they expire: an
   * ES256 verification is the largest single cost of an authenticated request (7% of a payment's
   * CPU in bench/profile.ts), and the same bytes always verify the same way. Expiry is checked again
   * on every use; the oldest entries go first beyond VERIFIED_MAX.
   */
  private readonly verified = new BoundedMap<string, Actor>(VERIFIED_MAX);

  private verifiedBefore(token: string): Actor | undefined {
    const actor = this.verified.get(token);
    if (!actor) return undefined;
    if (actor.expiresAt * 1000 > Date.now()) return actor;
    this.verified.delete(token);
    return undefined;
  }

  private remember(token: string, actor: Actor): Actor {
    // Frozen: every request that presents the token shares this one object.
    this.verified.set(token, Object.freeze(actor));
    return actor;
  }

  private async verifySignature(token: string): Promise<Actor> {
    const decoded = jwt.decode(token, { complete: true });
    if (!decoded || typeof decoded.payload === 'string') throw invalid();
    const { alg, kid } = decoded.header;
    if (!ALGORITHMS.includes(alg as jwt.Algorithm) || !kid) throw invalid();
    const key = await this.keyFor(kid);
    if (!key) throw invalid();
    let claims: jwt.JwtPayload;
    try {
      claims = jwt.verify(token, key, { algorithms: ALGORITHMS, issuer: this.opts.issuer, audience: this.opts.audience, complete: false }) as jwt.JwtPayload;
    } catch {
      throw invalid();
    }
    const userId = Number(claims.sub);
    if (claims.typ !== 'access' || !Number.isSafeInteger(userId) || !claims.jti || typeof claims.exp !== 'number') throw invalid();
    if (claims.role !== 'USER' && claims.role !== 'ADMIN') throw invalid();
    // A token without a session cannot be revoked with its session: refused (tokens from before
    // `sid` existed are at most one access-token lifetime old; the client refreshes).
    if (typeof claims.sid !== 'string' || !claims.sid) throw invalid();
    return { userId, username: String(claims.username ?? ''), role: claims.role, jti: claims.jti, sessionId: claims.sid, expiresAt: claims.exp };
  }

  private async keyFor(kid: string): Promise<KeyObject | undefined> {
    const known = this.keys.verification.find((v) => v.kid === kid)?.key;
    if (known || !this.opts.jwksUrl) return known;
    // An unknown kid may be a rotated key: refresh the JWKS, at most every 30 s once it answered.
    if (Date.now() - this.jwksFetchedAt < 30_000) return undefined;
    // Concurrent requests share one fetch. A fetch that fails does not count against the 30 s: the
    // next request tries again, and this one gets 503 — the token may well be valid, we cannot tell
    // (found by the topology harness: a replica started while the auth service was unreachable
    // answered 401 INVALID_TOKEN to valid tokens, and kept doing so for 30 s).
    const fetched = await (this.jwksInFlight ??= this.fetchJwks().finally(() => (this.jwksInFlight = undefined)));
    if (!fetched) throw IdentityErrors.tokenKeysUnavailable();
    return this.keys.verification.find((v) => v.kid === kid)?.key;
  }

  private async fetchJwks(): Promise<boolean> {
    try {
      const res = await fetch(this.opts.jwksUrl!, { signal: AbortSignal.timeout(2000) });
      if (!res.ok) return false;
      const body = (await res.json()) as { keys?: Record<string, unknown>[] } | { data?: { keys?: Record<string, unknown>[] } };
      const keys = ('keys' in body ? body.keys : (body as { data?: { keys?: Record<string, unknown>[] } }).data?.keys) ?? [];
      for (const jwk of keys) {
        if (jwk.kty !== 'EC' || jwk.crv !== 'P-256') continue;
        const key = createPublicKey({ key: jwk as never, format: 'jwk' });
        const id = typeof jwk.kid === 'string' ? jwk.kid : thumbprint(key);
        if (!this.keys.verification.some((v) => v.kid === id)) this.keys.verification.push({ kid: id, key });
      }
      this.jwksFetchedAt = Date.now();
      return true;
    } catch {
      return false;
    }
  }
}
