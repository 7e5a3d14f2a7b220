/**
 * A login session: the chain of refresh tokens that rotation produces from one login. Only the
 * current token may be exchanged; any earlier one coming back means it was copied, and the whole
 * family is revoked (both the thief's and the owner's tokens die).
 */
export interface RefreshTokenFamily {
  id: string;
  userId: number;
  currentHash: string;
  usedHashes: string[];
  /** The latest access token's jti issued from this family (a record: revocation goes by the family id, the tokens' `sid`). */
  accessJti: string | null;
  createdAt: Date;
  rotatedAt: Date | null;
  expiresAt: Date;
  revokedAt: Date | null;
  revokedReason: RevocationReason | null;
}

export type RevocationReason = 'LOGOUT' | 'REUSE_DETECTED' | 'ADMIN';

export interface NextToken {
  hash: string;
  accessJti: string;
  expiresAt: Date;
}

export type RotationOutcome =
  | { kind: 'rotated'; family: RefreshTokenFamily }
  /** An already-used token: the family is now revoked; `family.accessJti` still names the last access token to deny. */
  | { kind: 'reused'; family: RefreshTokenFamily }
  | { kind: 'revoked' }
  | { kind: 'expired' }
  | { kind: 'unknown' };

export function startFamily(id: string, userId: number, first: NextToken, now: Date): RefreshTokenFamily {
  return {
    id,
    userId,
    currentHash: first.hash,
    usedHashes: [],
    accessJti: first.accessJti,
    createdAt: now,
    rotatedAt: null,
    expiresAt: first.expiresAt,
    revokedAt: null,
    revokedReason: null,
  };
}

export function revoke(family: RefreshTokenFamily, reason: RevocationReason, now: Date): RefreshTokenFamily {
  if (family.revokedAt) return family;
  return { ...family, revokedAt: now, revokedReason: reason };
}

/** Exchanges the presented token (by hash) for the next one, or says why not. */
export function rotate(family: RefreshTokenFamily, presentedHash: string, next: NextToken, now: Date): RotationOutcome {
  const isCurrent = family.currentHash === presentedHash;
  const isUsed = family.usedHashes.includes(presentedHash);
  if (!isCurrent && !isUsed) return { kind: 'unknown' };
  if (family.revokedAt) return { kind: 'revoked' };
  if (isUsed) return { kind: 'reused', family: revoke(family, 'REUSE_DETECTED', now) };
  if (family.expiresAt.getTime() <= now.getTime()) return { kind: 'expired' };
  return {
    kind: 'rotated',
    family: {
      ...family,
      usedHashes: [...family.usedHashes, family.currentHash],
      currentHash: next.hash,
      accessJti: next.accessJti,
      rotatedAt: now,
      expiresAt: next.expiresAt,
    },
  };
}
