/**
 * A unit of work: what must commit together with a ledger movement, and only with it. The
 * movement's history rows, journal entries and outbox events are the ledger's own; a unit adds
 * the request's idempotency record (as data, so that a batch of movements writes many records in
 * one statement) and the conditional writes of other repositories (a reconciliation case marked
 * resolved, a payout's status). Application code says what joins the unit; only persistence
 * adapters know the transaction behind it.
 */

/** The response a money-moving request produced, as it is stored and replayed. */
export interface StoredResponse {
  status: number;
  /** The whole JSON body (the envelope), replayed byte for byte in meaning. */
  body: unknown;
}

/** A request's hold on its Idempotency-Key (the owner token of its claim). */
export interface IdempotencyClaimRef {
  userId: number;
  route: string;
  key: string;
  owner: string;
}

/**
 * The idempotency record written in the unit: `complete` turns this request's IN_FLIGHT claim
 * into the stored response (and fails the whole unit if the claim was lost to a takeover);
 * `update` replaces a completed key's response (a pending top-up that settled).
 */
export interface IdempotencyRecord {
  claim: IdempotencyClaimRef;
  mode: 'complete' | 'update';
  response: StoredResponse;
}

/** The open unit as repositories receive it: opaque; persistence adapters map it back to their transaction. */
export interface UnitTransaction {
  readonly __unit: unique symbol;
}

export interface UnitOfWork<R> {
  /** The request's idempotency record, from the movement's result. */
  idempotency?: (result: R) => IdempotencyRecord | null;
  /** Other repositories' writes that must commit with the movement; throwing rolls the whole unit back. */
  join?: (tx: UnitTransaction, result: R) => Promise<void>;
  /** Called once the unit has committed (never when it rolled back). */
  committed?: (result: R) => void;
}

/** The same unit seen from a movement whose result is mapped to what the caller knows (a handler's own result type). */
export function mapUnit<A, B>(unit: UnitOfWork<B> | undefined, f: (a: A) => B): UnitOfWork<A> | undefined {
  if (!unit) return undefined;
  return {
    idempotency: unit.idempotency && ((a) => unit.idempotency!(f(a))),
    join: unit.join && ((tx, a) => unit.join!(tx, f(a))),
    committed: unit.committed && ((a) => unit.committed!(f(a))),
  };
}
