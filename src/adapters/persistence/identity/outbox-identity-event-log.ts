import type { Orm } from '../orm.ts';
import { appendOutboxEvent } from '../outbox.ts';
import type { IdentityEvent, IdentityEventLog } from '../../../domain/identity/identity.events.ts';

/** Login outcomes go to the transactional outbox on their own (there is no other change to join). */
export class OutboxIdentityEventLog implements IdentityEventLog {
  private readonly orm: Orm;
  private readonly topic: string;
  private readonly onAppended: () => void;

  constructor(orm: Orm, opts: { topic: string; onAppended?: () => void }) {
    this.orm = orm;
    this.topic = opts.topic;
    this.onAppended = opts.onAppended ?? (() => {});
  }

  async record(e: IdentityEvent): Promise<void> {
    await this.orm.em.fork().transactional((em) => appendOutboxEvent(em, { topic: this.topic, type: e.type, key: e.key, payload: e.payload }));
    this.onAppended();
  }
}
