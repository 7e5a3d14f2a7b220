import { ChainVerifier, type AuditEvent, type ChainProblem, type NewAuditEvent } from '../../domain/audit/audit-event.ts';
import { checkpointPayload, type AuditCheckpoint } from '../../domain/audit/checkpoint.ts';
import type { AuditLog, CheckpointSigner } from '../../domain/audit/audit-log.ts';

export interface AuditTrailOptions {
  /** Null, or a signer without a private key: no checkpoints are taken (verify still checks the chain). */
  signer: CheckpointSigner | null;
  /** A signed checkpoint every this many events. */
  checkpointEvery: number;
  /** Metrics hooks. */
  onRecorded?: (e: AuditEvent) => void;
  onFailed?: (e: NewAuditEvent, err: unknown) => void;
  now?: () => Date;
}

export type VerifyProblem =
  ChainProblem | { kind: 'checkpoint'; seq: number; id: string | null; message: string } | { kind: 'truncated'; seq: number; id: null; message: string };

export interface VerifyReport {
  ok: boolean;
  fromSeq: number;
  checked: number;
  lastSeq: number;
  headSeq: number;
  checkpointsVerified: number;
  /** Checkpoints signed by a key this verifier has no public key for. */
  checkpointsUnverifiable: number;
  problem: VerifyProblem | null;
}

/**
 * The audit trail's use cases: record an event (chained, with a signed checkpoint every N events),
 * sign a checkpoint on demand, and verify the chain and its checkpoints.
 */
export class AuditTrail {
  /** The store, for readers (the regulator route, `audit query`). */
  readonly log: AuditLog;
  private readonly opts: AuditTrailOptions;

  constructor(log: AuditLog, opts: AuditTrailOptions) {
    this.log = log;
    this.opts = opts;
  }

  /** Appends the event; throws when it could not be stored (an operator's command then fails loudly). */
  async record(e: NewAuditEvent): Promise<AuditEvent> {
    try {
      const every = this.opts.checkpointEvery;
      const stored = await this.log.append(e, async (s) => (every > 0 && s.seq % every === 0 ? this.signedCheckpoint(s) : null));
      this.opts.onRecorded?.(stored);
      return stored;
    } catch (err) {
      this.opts.onFailed?.(e, err);
      throw err;
    }
  }

  /**
   * For security events on the request path: a refusal is answered whether or not it could be
   * recorded (the failure is counted by onFailed and alerted on), never turned into a 500.
   */
  async recordQuietly(e: NewAuditEvent): Promise<void> {
    await this.record(e).catch(() => undefined);
  }

  /** Signs the current head now (`audit checkpoint`); null on an empty trail. */
  async checkpoint(): Promise<AuditCheckpoint | null> {
    const head = await this.log.head();
    if (head.seq === 0) return null;
    const c = this.signedCheckpoint(head);
    if (!c) throw new Error('AUDIT_SIGNING_KEY is not configured: checkpoints cannot be signed');
    await this.log.addCheckpoint(c);
    return c;
  }

  private signedCheckpoint(at: { seq: number; hash: string }): AuditCheckpoint | null {
    const signer = this.opts.signer;
    if (!signer?.keyId) return null;
    const unsigned = { seq: at.seq, hash: at.hash, signedAt: this.opts.now?.() ?? new Date(), keyId: signer.keyId };
    return { ...unsigned, signature: signer.sign(checkpointPayload(unsigned)) };
  }

  /**
   * Walks the chain from `fromSeq` (anchored on the stored hash of the event before it) and stops
   * at the first problem: an edited, missing or out-of-place event, an event that differs from a
   * signed checkpoint, a checkpoint whose signature fails, or a tail cut off after the last event.
   */
  async verify(fromSeq = 1): Promise<VerifyReport> {
    const signer = this.opts.signer;
    const checkpoints = new Map<number, AuditCheckpoint>();
    let verified = 0;
    let unverifiable = 0;
    const report = (checked: number, lastSeq: number, headSeq: number, problem: VerifyProblem | null): VerifyReport => ({
      ok: problem === null,
      fromSeq,
      checked,
      lastSeq,
      headSeq,
      checkpointsVerified: verified,
      checkpointsUnverifiable: unverifiable,
      problem,
    });

    const head = await this.log.head();
    for (const c of await this.log.checkpoints(fromSeq)) {
      if (!signer?.knows(c.keyId)) {
        unverifiable++;
        continue;
      }
      if (!signer.verify(c.keyId, checkpointPayload(c), c.signature)) {
        return report(0, fromSeq - 1, head.seq, {
          kind: 'checkpoint',
          seq: c.seq,
          id: null,
          message: `the checkpoint at event ${c.seq} has an invalid signature (forged or edited)`,
        });
      }
      checkpoints.set(c.seq, c);
    }

    let anchor = { seq: 0, hash: '0'.repeat(64) };
    if (fromSeq > 1) {
      const before = await this.log.at(fromSeq - 1);
      if (!before)
        return report(0, fromSeq - 1, head.seq, {
          kind: 'missing',
          seq: fromSeq - 1,
          id: null,
          message: `event ${fromSeq - 1}, the anchor of --from ${fromSeq}, is missing (deleted)`,
        });
      anchor = { seq: before.seq, hash: before.hash };
    }
    const chain = new ChainVerifier(anchor);
    let lastId = '';
    for await (const e of this.log.scan(fromSeq)) {
      lastId = e.id;
      const problem = chain.next(e);
      if (problem) return report(chain.count, chain.head.seq, head.seq, problem);
      const c = checkpoints.get(e.seq);
      if (c) {
        if (c.hash !== e.hash) {
          return report(chain.count, e.seq, head.seq, {
            kind: 'checkpoint',
            seq: e.seq,
            id: e.id,
            message: `event ${e.seq} (${e.id}) differs from the signed checkpoint: the chain was rewritten at or before this event`,
          });
        }
        verified++;
        checkpoints.delete(e.seq);
      }
    }
    const last = chain.head;
    const lostAt = Math.min(...[...checkpoints.keys()].filter((s) => s > last.seq), head.seq > last.seq ? head.seq : Infinity);
    if (Number.isFinite(lostAt)) {
      return report(chain.count, last.seq, head.seq, {
        kind: 'truncated',
        seq: last.seq + 1,
        id: null,
        message: `events from ${last.seq + 1} to at least ${lostAt} are missing (deleted from the end of the trail)`,
      });
    }
    if (head.seq === last.seq && head.hash !== last.hash && last.seq > 0) {
      return report(chain.count, last.seq, head.seq, {
        kind: 'edited',
        seq: last.seq,
        id: lastId,
        message: `event ${last.seq} (${lastId}) is not the event the trail appended last (its hash differs from the chain head)`,
      });
    }
    return report(chain.count, last.seq, head.seq, null);
  }
}
