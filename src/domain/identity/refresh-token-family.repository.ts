import type { RefreshTokenFamily, RevocationReason } from './refresh-token-family.ts';

/** The result of a change made under the family's row lock: what to save (if anything) and what to return. */
export interface FamilyChange<T> {
  save?: RefreshTokenFamily;
  result: T;
}

/** Refresh-token families; the system of record is PostgreSQL (a Redis flush must not matter). */
export interface RefreshTokenFamilyRepository {
  /** Stores a new family (and forgets this user's long-expired ones). */
  create(family: RefreshTokenFamily): Promise<void>;
  /**
   * Finds the family that ever issued this token hash (current or used), locks it for the duration
   * of `change`, and saves what `change` returns: two concurrent refreshes with one token cannot both win.
   */
  updateByTokenHash<T>(hash: string, change: (family: RefreshTokenFamily | null) => Promise<FamilyChange<T>>): Promise<T>;
  /** Revokes the user's live family that holds this token hash (current or used); returns it, or null. */
  revokeByTokenHash(userId: number, hash: string, reason: RevocationReason): Promise<RefreshTokenFamily | null>;
  /** Revokes the user's live family with this id (an access token's session); returns it, or null. */
  revokeById(userId: number, id: string, reason: RevocationReason): Promise<RefreshTokenFamily | null>;
}
