/**
 * A signed checkpoint: "the chain's event `seq` has hash `hash`", signed with a key the database
 * does not hold. Whoever can write to the database can rebuild a consistent chain after editing
 * it (recomputing every later hash), and can cut the chain's tail; neither survives a checkpoint,
 * whose signature they cannot make.
 */
export interface AuditCheckpoint {
  seq: number;
  hash: string;
  signedAt: Date;
  keyId: string;
  /** base64 signature over `checkpointPayload`. */
  signature: string;
}

/** The exact bytes signed: explicit, versioned, one line. */
export function checkpointPayload(c: Pick<AuditCheckpoint, 'seq' | 'hash' | 'signedAt' | 'keyId'>): string {
  return `onegate-audit-checkpoint-v1|${c.seq}|${c.hash}|${c.signedAt.toISOString()}|${c.keyId}`;
}
