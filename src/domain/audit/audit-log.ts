import type { AuditCategory, AuditEvent, NewAuditEvent } from './audit-event.ts';
import type { AuditCheckpoint } from './checkpoint.ts';

export interface AuditQuery {
  from?: Date;
  to?: Date;
  category?: AuditCategory;
  /** Exact action (`accounts.suspend`) or a group prefix ending in a dot (`keys.`). */
  action?: string;
  actorId?: string;
  objectType?: string;
  objectId?: string;
  /** Newest first; `beforeSeq` continues a page (the last seq seen). */
  beforeSeq?: number;
  limit: number;
}

/**
 * The append-only audit trail's store. `append` chains the event onto the current head under one
 * lock, so concurrent writers (every replica, the CLI) form one chain; `onAppended` (when given)
 * runs inside that same transaction with the stored event, so a checkpoint can be taken at once.
 * No operation updates or deletes an event.
 */
export interface AuditLog {
  append(event: NewAuditEvent, onAppended?: (stored: AuditEvent) => Promise<AuditCheckpoint | null>): Promise<AuditEvent>;
  query(q: AuditQuery): Promise<AuditEvent[]>;
  /** Events with seq >= fromSeq in seq order, in batches. */
  scan(fromSeq: number, batchSize?: number): AsyncIterable<AuditEvent>;
  /** The event at seq, if stored. */
  at(seq: number): Promise<AuditEvent | null>;
  /** The chain head as recorded at each append (seq 0 when empty). */
  head(): Promise<{ seq: number; hash: string }>;
  addCheckpoint(c: AuditCheckpoint): Promise<void>;
  checkpoints(fromSeq?: number): Promise<AuditCheckpoint[]>;
}

/** Signs checkpoints (needs the private key) and checks them (needs only the public keys). */
export interface CheckpointSigner {
  /** Null when no private key is configured (checkpoints are then not taken). */
  readonly keyId: string | null;
  sign(payload: string): string;
  /** False for a bad signature; throws for a key id it does not know. */
  verify(keyId: string, payload: string, signature: string): boolean;
  knows(keyId: string): boolean;
}
