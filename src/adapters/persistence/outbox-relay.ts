import { randomUUID } from 'node:crypto';
import { Gauge, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { BusMessage, EventBus } from '../../application/ports/event-bus.ts';
import type { Orm } from './orm.ts';

export interface OutboxRelayOptions {
  batchSize?: number;
  idleMs?: number;
  /** How long leadership lasts without renewal; a stalled leader is replaced after this. Default 5 s. */
  leaseMs?: number;
  /** The lease row's name; every relay of one database shares the default. Tests use their own. */
  leaseName?: string;
  registry?: Registry;
}

interface Row {
  id: string;
  topic: string;
  event_key: string;
  payload: unknown;
  headers: Record<string, string>;
}

// One relay publishes at a time, whichever replica holds this lease: two relays publishing
// interleaved batches could reorder one account's events.
const DEFAULT_LEASE = 'outbox-relay';

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

  /** Takes the lease if it is free or expired, or renews it if ours; returns our epoch, or null when another relay leads. */
  async acquire(): Promise<number | null> {
    const rows = (await this.orm.em.getConnection().execute(
      `insert into outbox_relay_lease (name, holder, epoch, expires_at) values (?, ?, 1, now() + make_interval(secs => ?))
       on conflict (name) do update set
         epoch = case when outbox_relay_lease.holder = excluded.holder then outbox_relay_lease.epoch else outbox_relay_lease.epoch + 1 end,
         holder = excluded.holder, expires_at = excluded.expires_at
       where outbox_relay_lease.holder = excluded.holder or outbox_relay_lease.expires_at < now()
       returning epoch`,
      [this.lease, this.holder, this.leaseMs / 1000],
    )) as { epoch: string }[];
    return rows.length === 1 ? Number(rows[0]!.epoch) : null;
  }

  /** Publishes one batch; returns how many events went out (0 when idle or another relay leads). */
  async runOnce(): Promise<number> {
    const epoch = await this.acquire();
    if (epoch === null) return 0;
    const conn = this.orm.em.getConnection();
    const rows = (await conn.execute(`select id, topic, event_key, payload, headers from outbox_events where published_at is null order by seq limit ?`, [
      this.batchSize,
    ])) as Row[];
    if (rows.length === 0) return 0;
    // Still ours: narrows the window in which a leader that stalled since acquiring sends a stale batch.
    await this.assertLeader(epoch);
    // Consecutive rows of one topic go in one send, preserving order.
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
    await this.orm.em.fork().transactional(async (em) => {
      // A leader frozen inside this short transaction would hold the lease row's lock and block its
      // successor: PostgreSQL ends such a session after the lease's length, releasing the lock.
      await em.execute(`select set_config('idle_in_transaction_session_timeout', ?, true)`, [String(this.leaseMs)]);
      // Fencing: the lease row locked and still at our epoch, so no newer leader can interleave its marks with ours.
      const held = (await em.execute(`select 1 from outbox_relay_lease where name = ? and holder = ? and epoch = ? and expires_at > now() for update`, [
        this.lease,
        this.holder,
        epoch,
      ])) as unknown[];
      if (held.length !== 1)
        throw new RelayFenced(`outbox relay lost its lease (epoch ${epoch}) before marking ${rows.length} events; the new leader republishes them`);
      await em.execute(
        `update outbox_events set published_at = now(), attempts = attempts + 1 where id in (${rows.map(() => '?').join(',')}) and published_at is null`,
        rows.map((r) => r.id),
      );
      await em.execute(`update outbox_relay_lease set expires_at = now() + make_interval(secs => ?) where name = ?`, [this.leaseMs / 1000, this.lease]);
    });
    return rows.length;
  }

  private async assertLeader(epoch: number): Promise<void> {
    const held = (await this.orm.em
      .getConnection()
      .execute(`select 1 from outbox_relay_lease where name = ? and holder = ? and epoch = ? and expires_at > now()`, [
        this.lease,
        this.holder,
        epoch,
      ])) as unknown[];
    if (held.length !== 1) throw new RelayFenced(`outbox relay lease (epoch ${epoch}) expired before publishing`);
  }

  /** Gives the lease up (graceful stop), so another replica leads at once rather than after it expires. */
  async resign(): Promise<void> {
    // Expire rather than delete, so the epoch only ever grows.
    await this.orm.em
      .getConnection()
      .execute(`update outbox_relay_lease set expires_at = now() - interval '1 second' where name = ? and holder = ?`, [this.lease, this.holder]);
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
      (
        (await orm.em
          .getConnection()
          .execute(
            `select count(*)::int as n, coalesce(extract(epoch from now() - min(created_at)), 0)::float as age from outbox_events where published_at is null`,
          )) as [{ n: number; age: number }]
      )[0];
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
