import { Migration } from '@mikro-orm/migrations';

/**
 * outbox_events.seq: the relay publishes in insertion order. created_at is the transaction's start
 * time, which for two transactions on the same account can disagree with the order in which they
 * took the account's lock; a sequence value drawn at insert time (under that lock) cannot.
 */
export class Migration20261125010100OutboxSequence extends Migration {
  override name = '20261125010100-outbox-sequence';

  override up(): void {
    this.addSql(`alter table outbox_events add column seq bigserial not null;`);
    this.addSql(`drop index if exists outbox_events_unpublished_idx;`);
    this.addSql(`create index outbox_events_unpublished_idx on outbox_events (seq) where published_at is null;`);
  }
}
