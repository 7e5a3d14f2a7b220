import { createHash } from 'node:crypto';

/**
 * The audit trail's events: who did what to which object, from where and when. Events are
 * append-only and chained: each stores the SHA-256 of its canonical content, and that content
 * includes the previous event's hash, so editing, deleting or reordering any stored event breaks
 * the chain from that event on (see `verifyChain`).
 */
export const AUDIT_CATEGORIES = ['OPERATOR', 'SECURITY', 'CONFIGURATION'] as const;
export type AuditCategory = (typeof AUDIT_CATEGORIES)[number];

export const ACTOR_TYPES = ['operator', 'user', 'api_key', 'system'] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];

/** Who acted: an operator's name, a user id, an API key's public prefix, or the system (a process). */
export interface AuditActor {
  type: ActorType;
  id: string;
}

/** A JSON value as stored in a jsonb column (no bigint, no undefined, no Date). */
export type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

/** What the caller says happened; the trail adds seq, time, hashes. */
export interface NewAuditEvent {
  category: AuditCategory;
  /** `<group>.<verb>`, e.g. `accounts.suspend`, `auth.login_locked`, `config.jwt_signer_key`. */
  action: string;
  actor: AuditActor;
  object: { type: string; id: string | null };
  /** The value before and after, when a value changed. */
  before?: unknown;
  after?: unknown;
  /** Anything else worth keeping (a reason, a path, an amount). */
  details?: unknown;
  source?: { ip?: string | null; userAgent?: string | null };
  requestId?: string | null;
}

/** An event as stored: everything that is hashed, plus the hash. */
export interface AuditEvent {
  seq: number;
  id: string;
  occurredAt: Date;
  category: AuditCategory;
  action: string;
  actor: AuditActor;
  object: { type: string; id: string | null };
  before: Json | null;
  after: Json | null;
  details: Json | null;
  sourceIp: string | null;
  userAgent: string | null;
  requestId: string | null;
  prevHash: string;
  hash: string;
}

/** The previous hash of the first event. */
export const GENESIS_HASH = '0'.repeat(64);
/** Bumped if the canonical form ever changes; verify knows every version it accepts. */
export const CANONICAL_VERSION = 'onegate-audit-v1';

/**
 * JSON with object keys sorted (recursively), no whitespace: one text per value whatever the key
 * order a writer or PostgreSQL's jsonb used. Arrays keep their order.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) throw new Error('audit values must be finite numbers');
  return JSON.stringify(value);
}

/**
 * Turns what a caller passes (bigint, Money, Date, objects with toJSON) into the plain JSON that a
 * jsonb column gives back, so that the hash computed at write time is the one verify recomputes.
 */
export function toJson(value: unknown): Json | null {
  if (value === undefined || value === null) return null;
  const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  return text === undefined ? null : (JSON.parse(text) as Json);
}

/**
 * The canonical content of an event: a JSON array in this fixed order (positions, not names, so
 * that nothing about key order matters). The hash is SHA-256 over `CANONICAL_VERSION \n content`.
 */
export function canonicalContent(e: Omit<AuditEvent, 'hash'>): string {
  return canonicalJson([
    e.seq,
    e.id,
    e.occurredAt.toISOString(),
    e.category,
    e.action,
    e.actor.type,
    e.actor.id,
    e.object.type,
    e.object.id,
    e.before,
    e.after,
    e.details,
    e.sourceIp,
    e.userAgent,
    e.requestId,
    e.prevHash,
  ]);
}

export function eventHash(e: Omit<AuditEvent, 'hash'>): string {
  return createHash('sha256')
    .update(`${CANONICAL_VERSION}\n${canonicalContent(e)}`)
    .digest('hex');
}

/** The next event of a chain whose last event is `head` (seq 0 and GENESIS_HASH for an empty chain). */
export function chainEvent(head: { seq: number; hash: string }, id: string, occurredAt: Date, e: NewAuditEvent): AuditEvent {
  const content: Omit<AuditEvent, 'hash'> = {
    seq: head.seq + 1,
    id,
    occurredAt,
    category: e.category,
    action: e.action.slice(0, 100),
    actor: { type: e.actor.type, id: e.actor.id.slice(0, 255) },
    object: { type: e.object.type.slice(0, 64), id: e.object.id?.slice(0, 255) ?? null },
    before: toJson(e.before),
    after: toJson(e.after),
    details: toJson(e.details),
    sourceIp: e.source?.ip?.slice(0, 64) ?? null,
    userAgent: e.source?.userAgent?.slice(0, 512) ?? null,
    requestId: e.requestId?.slice(0, 128) ?? null,
    prevHash: head.hash,
  };
  return { ...content, hash: eventHash(content) };
}

export type ChainProblem =
  | { kind: 'edited'; seq: number; id: string; message: string }
  | { kind: 'missing'; seq: number; id: string | null; message: string }
  | { kind: 'broken_link'; seq: number; id: string; message: string };

/**
 * Walks events in seq order and returns the first problem: a gap in seq (an event deleted), a
 * previous-hash that is not the hash of the event before (deleted or reordered), or a stored hash
 * that is not the hash of the stored content (edited, including an edited seq or timestamp).
 * `anchor` is the event before the first one checked (seq 0 / GENESIS_HASH from the start).
 */
export class ChainVerifier {
  private last: { seq: number; hash: string };
  count = 0;

  constructor(anchor: { seq: number; hash: string } = { seq: 0, hash: GENESIS_HASH }) {
    this.last = anchor;
  }

  get head(): { seq: number; hash: string } {
    return this.last;
  }

  /** Checks the next event; returns the problem found, or null. */
  next(e: AuditEvent): ChainProblem | null {
    const expected = this.last.seq + 1;
    if (e.seq !== expected) {
      return e.seq > expected
        ? {
            kind: 'missing',
            seq: expected,
            id: null,
            message: `event ${expected} is missing (deleted): the chain jumps from ${this.last.seq} to ${e.seq} (${e.id})`,
          }
        : { kind: 'broken_link', seq: e.seq, id: e.id, message: `event ${e.seq} (${e.id}) is out of order after ${this.last.seq}` };
    }
    const recomputed = eventHash(e);
    if (recomputed !== e.hash)
      return { kind: 'edited', seq: e.seq, id: e.id, message: `event ${e.seq} (${e.id}) was edited: its content does not hash to its stored hash` };
    if (e.prevHash !== this.last.hash) {
      return {
        kind: 'broken_link',
        seq: e.seq,
        id: e.id,
        message: `event ${e.seq} (${e.id}) does not follow event ${this.last.seq}: its previous-hash differs (an event was deleted, replaced or reordered)`,
      };
    }
    this.last = { seq: e.seq, hash: e.hash };
    this.count++;
    return null;
  }
}
