import type { IdempotencyClaimRef, IdempotencyRecord, StoredResponse } from '../../domain/shared/unit-of-work.ts';

export type { StoredResponse } from '../../domain/shared/unit-of-work.ts';

export interface IdempotencyScope {
  userId: number;
  route: string;
  key: string;
  requestHash: string;
}

export type BeginResult = { kind: 'claimed'; claim: IdempotencyClaim } | { kind: 'replay'; response: StoredResponse };

/** This request's hold on its key. */
export interface IdempotencyClaim {
  scope: IdempotencyScope;
  owner: string;
}

/** The record that stores `response` for this claim inside the effect's unit of work. */
export function idempotencyRecord(claim: IdempotencyClaim, mode: IdempotencyRecord['mode'], response: StoredResponse): IdempotencyRecord {
  const ref: IdempotencyClaimRef = { userId: claim.scope.userId, route: claim.scope.route, key: claim.scope.key, owner: claim.owner };
  return { claim: ref, mode, response };
}

/**
 * Idempotency-Key storage. A response that must commit with an effect goes into the effect's unit
 * of work (idempotencyRecord, domain/shared/unit-of-work.ts); `complete` and `update` here store
 * it on their own, for answers that have no effect (a refusal) or come after it.
 */
export interface IdempotencyStore {
  /** Claims the key, or answers the stored response; throws IDEMPOTENCY_KEY_REUSED (422) or IDEMPOTENCY_KEY_IN_FLIGHT (409). */
  begin(scope: IdempotencyScope): Promise<BeginResult>;
  /** Stores the response; throws when the claim was lost (lease expired and taken over), which must roll the effect back. */
  complete(claim: IdempotencyClaim, response: StoredResponse): Promise<void>;
  /** Replaces the stored response of a completed key (a pending top-up that settled). */
  update(claim: IdempotencyClaim, response: StoredResponse): Promise<void>;
  /** Gives the key up (the request failed without effect and may be retried). */
  release(claim: IdempotencyClaim): Promise<void>;
}
