import type { InferResult } from 'kysely';
import type { Kysely } from '@mikro-orm/sql';
import type { AuditLog, AuditQuery } from '../../../domain/audit/audit-log.ts';
import { chainEvent, type AuditEvent, type NewAuditEvent } from '../../../domain/audit/audit-event.ts';
import type { AuditCheckpoint } from '../../../domain/audit/checkpoint.ts';
import { newUuid } from '../../../domain/shared/ids.ts';
import type { Orm } from '../orm.ts';
import { kysely, type Database } from '../kysely.ts';

const COLUMNS = [
  'seq',
  'id',
  'occurred_at',
  'category',
  'action',
  'actor_type',
  'actor_id',
  'object_type',
  'object_id',
  'before',
  'after',
  'details',
  'source_ip',
  'user_agent',
  'request_id',
  'prev_hash',
  'hash',
] as const;
const events = (db: Kysely<Database>) => db.selectFrom('audit_events').select(COLUMNS);
const checkpoints = (db: Kysely<Database>) => db.selectFrom('audit_checkpoints').select(['seq', 'hash', 'signed_at', 'key_id', 'signature']);
type Row = InferResult<ReturnType<typeof events>>[number];

// jsonb comes back parsed (the pg driver's type parser), timestamptz as Date (the schema's type).
function toEvent(r: Row): AuditEvent {
  return {
    seq: Number(r.seq),
    id: r.id,
    occurredAt: r.occurred_at,
    category: r.category,
    action: r.action,
    actor: { type: r.actor_type, id: r.actor_id },
    object: { type: r.object_type, id: r.object_id },
    before: r.before,
    after: r.after,
    details: r.details,
    sourceIp: r.source_ip,
    userAgent: r.user_agent,
    requestId: r.request_id,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

const toCheckpoint = (r: InferResult<ReturnType<typeof checkpoints>>[number]): AuditCheckpoint => ({
  seq: Number(r.seq),
  hash: r.hash,
  signedAt: r.signed_at,
  keyId: r.key_id,
  signature: r.signature,
});

const checkpointRow = (c: AuditCheckpoint) => ({ seq: String(c.seq), hash: c.hash, signed_at: c.signedAt, key_id: c.keyId, signature: c.signature });

/**
 * audit_events in PostgreSQL. An append locks the one-row chain head FOR UPDATE, so appends from
 * every process form one gapless chain; the event's time is taken under the lock, so seq order is
 * time order. The service's role may insert only (the migration's grants and triggers).
 */
export class PostgresAuditLog implements AuditLog {
  private readonly orm: Orm;

  constructor(orm: Orm) {
    this.orm = orm;
  }

  async append(e: NewAuditEvent, onAppended?: (stored: AuditEvent) => Promise<AuditCheckpoint | null>): Promise<AuditEvent> {
    return this.orm.em.fork().transactional(async (em) => {
      const db = kysely(em);
      const head = await db.selectFrom('audit_chain_head').select(['seq', 'hash']).where('id', '=', 1).forUpdate().executeTakeFirst();
      if (!head) throw new Error('audit_chain_head is missing its row: run the migrations');
      const event = chainEvent({ seq: Number(head.seq), hash: head.hash }, newUuid(), new Date(), e);
      // convertValues writes the json columns through JSON.stringify (the schema's json type).
      await db
        .insertInto('audit_events')
        .values({
          seq: String(event.seq),
          id: event.id,
          occurred_at: event.occurredAt,
          category: event.category,
          action: event.action,
          actor_type: event.actor.type,
          actor_id: event.actor.id,
          object_type: event.object.type,
          object_id: event.object.id,
          before: event.before,
          after: event.after,
          details: event.details,
          source_ip: event.sourceIp,
          user_agent: event.userAgent,
          request_id: event.requestId,
          prev_hash: event.prevHash,
          hash: event.hash,
        })
        .execute();
      await db
        .updateTable('audit_chain_head')
        .set({ seq: String(event.seq), hash: event.hash })
        .where('id', '=', 1)
        .execute();
      const checkpoint = onAppended ? await onAppended(event) : null;
      if (checkpoint)
        await db
          .insertInto('audit_checkpoints')
          .values(checkpointRow(checkpoint))
          .onConflict((oc) => oc.column('seq').doNothing())
          .execute();
      return event;
    });
  }

  async query(q: AuditQuery): Promise<AuditEvent[]> {
    // A group prefix (`keys.`) matches by LIKE, its wildcards escaped (backslash is LIKE's default escape).
    const prefix = q.action?.endsWith('.') ? `${q.action.replace(/[\\%_]/g, '\\$&')}%` : undefined;
    const rows = await events(kysely(this.orm.em.fork()))
      .$if(!!q.from, (b) => b.where('occurred_at', '>=', q.from!))
      .$if(!!q.to, (b) => b.where('occurred_at', '<', q.to!))
      .$if(!!q.category, (b) => b.where('category', '=', q.category!))
      .$if(prefix !== undefined, (b) => b.where('action', 'like', prefix!))
      .$if(prefix === undefined && !!q.action, (b) => b.where('action', '=', q.action!))
      .$if(!!q.actorId, (b) => b.where('actor_id', '=', q.actorId!))
      .$if(!!q.objectType, (b) => b.where('object_type', '=', q.objectType!))
      .$if(!!q.objectId, (b) => b.where('object_id', '=', q.objectId!))
      .$if(q.beforeSeq !== undefined, (b) => b.where('seq', '<', String(q.beforeSeq)))
      .orderBy('seq', 'desc')
      .limit(q.limit)
      .execute();
    return rows.map(toEvent);
  }

  async *scan(fromSeq: number, batchSize = 1000): AsyncIterable<AuditEvent> {
    let after = fromSeq - 1;
    for (;;) {
      const rows = await events(kysely(this.orm.em.fork())).where('seq', '>', String(after)).orderBy('seq').limit(batchSize).execute();
      for (const r of rows) yield toEvent(r);
      if (rows.length < batchSize) return;
      after = Number(rows[rows.length - 1]!.seq);
    }
  }

  async at(seq: number): Promise<AuditEvent | null> {
    const r = await events(kysely(this.orm.em.fork())).where('seq', '=', String(seq)).executeTakeFirst();
    return r ? toEvent(r) : null;
  }

  async head(): Promise<{ seq: number; hash: string }> {
    const r = await kysely(this.orm.em.fork()).selectFrom('audit_chain_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirst();
    return r ? { seq: Number(r.seq), hash: r.hash } : { seq: 0, hash: '0'.repeat(64) };
  }

  async addCheckpoint(c: AuditCheckpoint): Promise<void> {
    await kysely(this.orm.em.fork())
      .insertInto('audit_checkpoints')
      .values(checkpointRow(c))
      .onConflict((oc) => oc.column('seq').doNothing())
      .execute();
  }

  async checkpoints(fromSeq = 1): Promise<AuditCheckpoint[]> {
    const rows = await checkpoints(kysely(this.orm.em.fork())).where('seq', '>=', String(fromSeq)).orderBy('seq').execute();
    return rows.map(toCheckpoint);
  }
}
