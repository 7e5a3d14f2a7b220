import { Migration } from '@mikro-orm/migrations';

/**
 * Outbox relay leadership as a lease row instead of an advisory lock held across the Kafka send.
 * The lock version stalled every replica's publishing for as long as its holder was frozen (SIGSTOP,
 * a GC pause, a partition): the lock lives as long as the session. A lease has a deadline, so a
 * stalled leader loses it and another replica takes over; `epoch` grows at every change of holder
 * and fences the old leader: marking rows published requires the caller's epoch to still be the
 * lease's, checked under the row lock in the same transaction.
 */
export class Migration20261201202500TopologyOutboxRelayLease extends Migration {
  override name = '20261201202500-topology-outbox-relay-lease';

  override async up(): Promise<void> {
    this.addSql(`create table outbox_relay_lease (
      name varchar(50) primary key,
      holder varchar(100) not null,
      epoch bigint not null,
      expires_at timestamptz not null
    );`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table outbox_relay_lease;`);
  }
}
