import type { EntityManager } from '@mikro-orm/postgresql';

/** The response a money-moving request produced, as it is stored and replayed. */
export interface StoredResponse {
  status: number;
  /** The whole JSON body (the envelope), replayed byte for byte in meaning. */
  body: unknown;
}

export interface IdempotencyScope {
  userId: number;
  route: string;
  key: string;
  requestHash: string;
}

export type BeginResult =
  | { kind: 'claimed'; claim: IdempotencyClaim }
  | { kind: 'replay'; response: StoredResponse };

/** This request's hold on its key. */
export interface IdempotencyClaim {
  scope: IdempotencyScope;
  owner: string;
}

/**
 * Idempotency-Key storage. `complete` and `update` take the EntityManager of the transaction
 * that makes the effect, so the stored response commits if and only if the effect does.
 */
export interface IdempotencyStore {
  /** Claims the key, or answers the stored response; throws IDEMPOTENCY_KEY_REUSED (422) or IDEMPOTENCY_KEY_IN_FLIGHT (409). */
  begin(scope: IdempotencyScope): Promise<BeginResult>;
  /** Stores the response; throws when the claim was lost (lease expired and taken over), which must roll the effect back. */
  complete(em: EntityManager | null, claim: IdempotencyClaim, response: StoredResponse): Promise<void>;
  /** Replaces the stored response of a completed key (a pending top-up that settled). */
  update(em: EntityManager | null, claim: IdempotencyClaim, response: StoredResponse): Promise<void>;
  /** Gives the key up (the request failed without effect and may be retried). */
  release(claim: IdempotencyClaim): Promise<void>;
}
