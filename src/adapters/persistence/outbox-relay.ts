import { randomUUID } from 'node:crypto';
import { Gauge, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { BusMessage, EventBus } from '../../application/ports/event-bus.ts';
import type { Orm } from './orm.ts';
import { kysely } from './kysely.ts';
import { countInt, secondsFromNow, secondsSince } from './kysely-functions.ts';
import type { RawRow } from './schemas/raw-row.ts';
import type { OutboxEventRecord, OutboxRelayLeaseRecord } from './schemas/index.ts';

export interface OutboxRelayOptions {
  batchSize?: number;
  idleMs?: number;
  /** How long leadership lasts without renewal; a stalled leader is replaced after this. Default 5 s. */
  leaseMs?: number;
  /** The lease row's name; every relay of one database shares the default. Tests use their own. */
  leaseName?: string;
  registry?: Registry;
}

// One relay publishes at a time, whichever replica holds this lease: two relays publishing
// interleaved batches could reorder one account's events.
const DEFAULT_LEASE = 'outbox-relay';

/** The lease row, if it is ours at the epoch and has time left (parameters: name, holder, epoch). */
const HELD = `select name from outbox_relay_lease where name = ? and holder = ? and epoch = ? and expires_at > now()`;

/** The relay lost its lease between publishing and marking: the batch stays unpublished for the new leader. */
export class RelayFenced extends Error {}

/**
 * Publishes the transactional outbox to the event bus, in insertion order (so in order per key),
 * at least once; consumers dedupe on event_id.
 *
 * Leadership is a lease row (outbox_relay_lease) with a deadline and an epoch, not a lock held
 * across the send: a leader that stalls (SIGSTOP, GC, cut off from PostgreSQL) loses it after
 * `leaseMs` and another replica takes over. No database transaction spans the bus call. Each batch:
 * acquire or renew the lease (epoch bumps when the holder changes) → read the oldest unpublished
 * rows → check the lease is still ours and has time left → publish → mark the rows published in a
 * transaction that first locks the lease row and requires our epoch (fencing). A resumed old leader
 * therefore cannot mark anything: its batch is left to the new leader, which republishes it in
 * order. The worst a stale leader can do is one duplicate send of a batch it read before it stalled
 * (at-least-once; the consumers' event_id dedup absorbs it); it can never skip or reorder the
 * published_at frontier, which only the current epoch advances.
 */
export class OutboxRelay {
  private readonly orm: Orm;
  private readonly events: EventBus;
  private readonly logger: Logger;
  private readonly batchSize: number;
  private readonly idleMs: number;
  private readonly leaseMs: number;
  private readonly lease: string;
  /** This relay's identity in the lease; unique per instance (a restarted process is a new holder). */
  readonly holder = randomUUID();
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(orm: Orm, events: EventBus, logger: Logger, opts: OutboxRelayOptions = {}) {
    this.orm = orm;
    this.events = events;
    this.logger = logger;
    this.batchSize = opts.batchSize ?? 200;
    this.idleMs = opts.idleMs ?? 200;
    this.leaseMs = opts.leaseMs ?? 5000;
    this.lease = opts.leaseName ?? DEFAULT_LEASE;
    if (opts.registry) this.registerMetrics(opts.registry);
  }

  // The cycle's statements are hand-written SQL (columns of OutboxEventSchema and
  // OutboxRelayLeaseSchema): under load the relay runs them for every batch of events, and
  // kysely()'s convertValues plugin cost about 0.3 ms of CPU each plus its transform of every row's
  // payload (bench/profile.ts: the relay was 8% of a payment's CPU). Their parameters are written
  // into the text by MikroORM's escaping.

  /** Takes the lease if it is free or expired, or renews it if ours; returns our epoch, or null when another relay leads. */
  async acquire(): Promise<number | null> {
    const rows = (await this.sql(
      `insert into outbox_relay_lease (name, holder, epoch, expires_at) values (?, ?, 1, now() + make_interval(secs => ?))
       on conflict (name) do update set
         epoch = case when outbox_relay_lease.holder = excluded.holder then outbox_relay_lease.epoch else outbox_relay_lease.epoch + 1 end,
         holder = excluded.holder, expires_at = excluded.expires_at
       where outbox_relay_lease.holder = excluded.holder or outbox_relay_lease.expires_at < now()
       returning epoch`,
      [this.lease, this.holder, this.leaseMs / 1000],
    )) as Pick<RawRow<OutboxRelayLeaseRecord>, 'epoch'>[];
    return rows.length === 1 ? Number(rows[0]!.epoch) : null;
  }

  /** Publishes one batch; returns how many events went out (0 when idle or another relay leads). */
  async runOnce(): Promise<number> {
    const epoch = await this.acquire();
    if (epoch === null) return 0;
    const rows = (await this.sql(`select id, topic, event_key, payload, headers from outbox_events where published_at is null order by seq limit ?`, [
      this.batchSize,
    ])) as Pick<RawRow<OutboxEventRecord>, 'id' | 'topic' | 'event_key' | 'payload' | 'headers'>[];
    if (rows.length === 0) return 0;
    await this.assertLeader(epoch);
    let i = 0;
    while (i < rows.length) {
      const topic = rows[i]!.topic;
      const batch: BusMessage[] = [];
      for (; i < rows.length && rows[i]!.topic === topic; i++) {
        const r = rows[i]!;
        batch.push({ key: r.event_key, value: typeof r.payload === 'string' ? r.payload : JSON.stringify(r.payload), headers: r.headers });
      }
      await this.events.publish(topic, batch);
    }
    // One statement, so one transaction with no idle time inside it: the lease row is locked and
    // must still be ours at this epoch (fencing); only then are the rows marked and the lease renewed.
    const [marked] = (await this.sql(
      `with held as (${HELD} for update),
            marked as (update outbox_events set published_at = now(), attempts = attempts + 1
                        where id in (?) and published_at is null and exists (select 1 from held) returning 1),
            renewed as (update outbox_relay_lease set expires_at = now() + make_interval(secs => ?)
                         where name = ? and exists (select 1 from held) returning 1)
       select (select count(*) from held)::int as held`,
      [this.lease, this.holder, epoch, rows.map((r) => r.id), this.leaseMs / 1000, this.lease],
    )) as { held: number }[];
    if (marked!.held !== 1)
      throw new RelayFenced(`outbox relay lost its lease (epoch ${epoch}) before marking ${rows.length} events; the new leader republishes them`);
    return rows.length;
  }

  private async assertLeader(epoch: number): Promise<void> {
    const held = (await this.sql(HELD, [this.lease, this.holder, epoch])) as unknown[];
    if (held.length !== 1) throw new RelayFenced(`outbox relay lease (epoch ${epoch}) expired before publishing`);
  }

  private sql(query: string, params: unknown[]): Promise<unknown[]> {
    return this.orm.em.getConnection().execute(query, params) as Promise<unknown[]>;
  }

  /** Gives the lease up (graceful stop), so another replica leads at once rather than after it expires. */
  async resign(): Promise<void> {
    // Expire rather than delete, so the epoch only ever grows.
    await kysely(this.orm.em.fork())
      .updateTable('outbox_relay_lease')
      .set((eb) => ({ expires_at: secondsFromNow(eb, -1) }))
      .where('name', '=', this.lease)
      .where('holder', '=', this.holder)
      .execute();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      let failures = 0;
      while (this.running) {
        let published = 0;
        try {
          published = await this.runOnce();
          failures = 0;
        } catch (err) {
          failures++;
          this.logger.warn({ err: (err as Error).message, failures }, 'outbox relay: publish failed; will retry');
        }
        if (published === 0 || failures > 0) {
          const pause = failures > 0 ? Math.min(200 * 2 ** failures, 10_000) : this.idleMs;
          await new Promise<void>((resolve) => {
            this.wake = resolve;
            setTimeout(resolve, pause).unref();
          });
        }
      }
    })();
  }

  /** Nudges the relay to look now (after a commit that wrote events). */
  poke(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.resign().catch(() => {});
  }

  private registerMetrics(registry: Registry): void {
    const orm = this.orm;
    const backlog = async () =>
      kysely(orm.em.fork())
        .selectFrom('outbox_events')
        .select((eb) => [countInt(eb).as('n'), eb.fn.coalesce(secondsSince(eb, eb.fn.min('created_at')), eb.lit(0)).as('age')])
        .where('published_at', 'is', null)
        .executeTakeFirstOrThrow();
    new Gauge({
      name: 'outbox_backlog_events',
      help: 'Outbox events not yet published',
      registers: [registry],
      async collect() {
        this.set((await backlog().catch(() => ({ n: -1 }))).n);
      },
    });
    new Gauge({
      name: 'outbox_oldest_unpublished_age_seconds',
      help: 'Age of the oldest unpublished outbox event',
      registers: [registry],
      async collect() {
        this.set((await backlog().catch(() => ({ age: -1 }))).age);
      },
    });
  }
}
