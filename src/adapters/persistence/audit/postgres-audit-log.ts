import type { AuditLog, AuditQuery } from '../../../domain/audit/audit-log.ts';
import { chainEvent, type AuditCategory, type AuditEvent, type ActorType, type Json, type NewAuditEvent } from '../../../domain/audit/audit-event.ts';
import type { AuditCheckpoint } from '../../../domain/audit/checkpoint.ts';
import { newUuid } from '../../../domain/shared/ids.ts';
import type { Orm } from '../orm.ts';
import { toDate } from '../transaction/sql.ts';

const COLUMNS = `seq, id, occurred_at, category, action, actor_type, actor_id, object_type, object_id, before, after, details, source_ip, user_agent, request_id, prev_hash, hash`;

type Row = Record<string, unknown>;

/** jsonb comes back parsed or as text, depending on the driver path: always return the parsed value. */
const json = (v: unknown): Json | null => (v === null || v === undefined ? null : typeof v === 'string' ? (JSON.parse(v) as Json) : (v as Json));

function toEvent(r: Row): AuditEvent {
  return {
    seq: Number(r.seq),
    id: String(r.id),
    occurredAt: toDate(r.occurred_at),
    category: r.category as AuditCategory,
    action: String(r.action),
    actor: { type: r.actor_type as ActorType, id: String(r.actor_id) },
    object: { type: String(r.object_type), id: (r.object_id as string | null) ?? null },
    before: json(r.before),
    after: json(r.after),
    details: json(r.details),
    sourceIp: (r.source_ip as string | null) ?? null,
    userAgent: (r.user_agent as string | null) ?? null,
    requestId: (r.request_id as string | null) ?? null,
    prevHash: String(r.prev_hash),
    hash: String(r.hash),
  };
}

const toCheckpoint = (r: Row): AuditCheckpoint => ({
  seq: Number(r.seq),
  hash: String(r.hash),
  signedAt: toDate(r.signed_at),
  keyId: String(r.key_id),
  signature: String(r.signature),
});

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
      const [head] = (await em.execute(`select seq, hash from audit_chain_head where id = 1 for update`)) as Row[];
      if (!head) throw new Error('audit_chain_head is missing its row: run the migrations');
      const event = chainEvent({ seq: Number(head.seq), hash: String(head.hash) }, newUuid(), new Date(), e);
      await em.execute(`insert into audit_events (${COLUMNS}) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?::jsonb, ?, ?, ?, ?, ?)`, [
        event.seq,
        event.id,
        event.occurredAt,
        event.category,
        event.action,
        event.actor.type,
        event.actor.id,
        event.object.type,
        event.object.id,
        event.before === null ? null : JSON.stringify(event.before),
        event.after === null ? null : JSON.stringify(event.after),
        event.details === null ? null : JSON.stringify(event.details),
        event.sourceIp,
        event.userAgent,
        event.requestId,
        event.prevHash,
        event.hash,
      ]);
      await em.execute(`update audit_chain_head set seq = ?, hash = ? where id = 1`, [event.seq, event.hash]);
      const checkpoint = onAppended ? await onAppended(event) : null;
      if (checkpoint)
        await em.execute(`insert into audit_checkpoints (seq, hash, signed_at, key_id, signature) values (?, ?, ?, ?, ?) on conflict (seq) do nothing`, [
          checkpoint.seq,
          checkpoint.hash,
          checkpoint.signedAt,
          checkpoint.keyId,
          checkpoint.signature,
        ]);
      return event;
    });
  }

  async query(q: AuditQuery): Promise<AuditEvent[]> {
    const where: string[] = ['true'];
    const params: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      where.push(sql);
      params.push(v);
    };
    if (q.from) add('occurred_at >= ?::timestamptz', q.from);
    if (q.to) add('occurred_at < ?::timestamptz', q.to);
    if (q.category) add('category = ?', q.category);
    if (q.action?.endsWith('.')) add(`action like ? escape '\\'`, `${q.action.replace(/[\\%_]/g, '\\$&')}%`);
    else if (q.action) add('action = ?', q.action);
    if (q.actorId) add('actor_id = ?', q.actorId);
    if (q.objectType) add('object_type = ?', q.objectType);
    if (q.objectId) add('object_id = ?', q.objectId);
    if (q.beforeSeq !== undefined) add('seq < ?', q.beforeSeq);
    const rows = (await this.orm.em
      .fork()
      .execute(`select ${COLUMNS} from audit_events where ${where.join(' and ')} order by seq desc limit ?`, [...params, q.limit])) as Row[];
    return rows.map(toEvent);
  }

  async *scan(fromSeq: number, batchSize = 1000): AsyncIterable<AuditEvent> {
    let after = fromSeq - 1;
    for (;;) {
      const rows = (await this.orm.em.fork().execute(`select ${COLUMNS} from audit_events where seq > ? order by seq limit ?`, [after, batchSize])) as Row[];
      for (const r of rows) yield toEvent(r);
      if (rows.length < batchSize) return;
      after = Number(rows[rows.length - 1]!.seq);
    }
  }

  async at(seq: number): Promise<AuditEvent | null> {
    const [r] = (await this.orm.em.fork().execute(`select ${COLUMNS} from audit_events where seq = ?`, [seq])) as Row[];
    return r ? toEvent(r) : null;
  }

  async head(): Promise<{ seq: number; hash: string }> {
    const [r] = (await this.orm.em.fork().execute(`select seq, hash from audit_chain_head where id = 1`)) as Row[];
    return r ? { seq: Number(r.seq), hash: String(r.hash) } : { seq: 0, hash: '0'.repeat(64) };
  }

  async addCheckpoint(c: AuditCheckpoint): Promise<void> {
    await this.orm.em
      .fork()
      .execute(`insert into audit_checkpoints (seq, hash, signed_at, key_id, signature) values (?, ?, ?, ?, ?) on conflict (seq) do nothing`, [
        c.seq,
        c.hash,
        c.signedAt,
        c.keyId,
        c.signature,
      ]);
  }

  async checkpoints(fromSeq = 1): Promise<AuditCheckpoint[]> {
    const rows = (await this.orm.em
      .fork()
      .execute(`select seq, hash, signed_at, key_id, signature from audit_checkpoints where seq >= ? order by seq`, [fromSeq])) as Row[];
    return rows.map(toCheckpoint);
  }
}
