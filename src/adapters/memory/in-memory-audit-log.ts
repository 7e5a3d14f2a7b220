import type { AuditLog, AuditQuery } from '../../domain/audit/audit-log.ts';
import { chainEvent, GENESIS_HASH, type AuditEvent, type NewAuditEvent } from '../../domain/audit/audit-event.ts';
import type { AuditCheckpoint } from '../../domain/audit/checkpoint.ts';
import { newUuid } from '../../domain/shared/ids.ts';

/** The audit trail in memory, for unit tests of its users; passes the same contract test as PostgreSQL's. */
export class InMemoryAuditLog implements AuditLog {
  private readonly events: AuditEvent[] = [];
  private readonly cps = new Map<number, AuditCheckpoint>();
  private tip = { seq: 0, hash: GENESIS_HASH };
  private queue: Promise<unknown> = Promise.resolve();

  append(e: NewAuditEvent, onAppended?: (stored: AuditEvent) => Promise<AuditCheckpoint | null>): Promise<AuditEvent> {
    // One append at a time, like the chain head's row lock.
    const run = this.queue.then(async () => {
      const event = chainEvent(this.tip, newUuid(), new Date(), e);
      const checkpoint = onAppended ? await onAppended(event) : null;
      this.events.push(structuredClone(event));
      this.tip = { seq: event.seq, hash: event.hash };
      if (checkpoint && !this.cps.has(checkpoint.seq)) this.cps.set(checkpoint.seq, checkpoint);
      return event;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  async query(q: AuditQuery): Promise<AuditEvent[]> {
    const match = (e: AuditEvent) =>
      (!q.from || e.occurredAt >= q.from) &&
      (!q.to || e.occurredAt < q.to) &&
      (!q.category || e.category === q.category) &&
      (!q.action || (q.action.endsWith('.') ? e.action.startsWith(q.action) : e.action === q.action)) &&
      (!q.actorId || e.actor.id === q.actorId) &&
      (!q.objectType || e.object.type === q.objectType) &&
      (!q.objectId || e.object.id === q.objectId) &&
      (q.beforeSeq === undefined || e.seq < q.beforeSeq);
    return this.events
      .filter(match)
      .sort((a, b) => b.seq - a.seq)
      .slice(0, q.limit)
      .map((e) => structuredClone(e));
  }

  async *scan(fromSeq: number): AsyncIterable<AuditEvent> {
    for (const e of [...this.events].sort((a, b) => a.seq - b.seq)) if (e.seq >= fromSeq) yield structuredClone(e);
  }

  async at(seq: number): Promise<AuditEvent | null> {
    const e = this.events.find((x) => x.seq === seq);
    return e ? structuredClone(e) : null;
  }

  async head(): Promise<{ seq: number; hash: string }> {
    return { ...this.tip };
  }

  async addCheckpoint(c: AuditCheckpoint): Promise<void> {
    if (!this.cps.has(c.seq)) this.cps.set(c.seq, c);
  }

  async checkpoints(fromSeq = 1): Promise<AuditCheckpoint[]> {
    return [...this.cps.values()].filter((c) => c.seq >= fromSeq).sort((a, b) => a.seq - b.seq);
  }

  /** Test hooks: what a superuser could do to the stored rows. */
  tamper(mutate: (events: AuditEvent[]) => void): void {
    mutate(this.events);
  }
}
