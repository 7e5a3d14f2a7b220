import { randomUUID } from 'node:crypto';
import { Gauge, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { BusMessage, EventBus } from '../../application/ports/event-bus.ts';
import type { Orm } from './orm.ts';
import { kysely } from './kysely.ts';
import { countInt, secondsFromNow, secondsSince } from './kysely-functions.ts';

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
    const rows = await kysely(this.orm.em.fork())
      .insertInto('outbox_relay_lease')
      .values((eb) => ({ name: this.lease, holder: this.holder, epoch: '1', expires_at: secondsFromNow(eb, this.leaseMs / 1000) }))
      .onConflict((oc) =>
        oc
          .column('name')
          .doUpdateSet((eb) => ({
            epoch: eb
              .case()
              .when('outbox_relay_lease.holder', '=', eb.ref('excluded.holder'))
              .then(eb.ref('outbox_relay_lease.epoch'))
              .else(eb('outbox_relay_lease.epoch', '+', '1'))
              .end(),
            holder: eb.ref('excluded.holder'),
            expires_at: eb.ref('excluded.expires_at'),
          }))
          .where((eb) =>
            eb.or([eb('outbox_relay_lease.holder', '=', eb.ref('excluded.holder')), eb('outbox_relay_lease.expires_at', '<', eb.fn<Date>('now'))]),
          ),
      )
      .returning('epoch')
      .execute();
    return rows.length === 1 ? Number(rows[0]!.epoch) : null;
  }

  /** Publishes one batch; returns how many events went out (0 when idle or another relay leads). */
  async runOnce(): Promise<number> {
    const epoch = await this.acquire();
    if (epoch === null) return 0;
    const rows = await kysely(this.orm.em.fork())
      .selectFrom('outbox_events')
      .select(['id', 'topic', 'event_key', 'payload', 'headers'])
      .where('published_at', 'is', null)
      .orderBy('seq')
      .limit(this.batchSize)
      .execute();
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
      const k = kysely(em);
      // A leader frozen inside this short transaction would hold the lease row's lock and block its
      // successor: PostgreSQL ends such a session after the lease's length, releasing the lock.
      await k
        .selectNoFrom((eb) => eb.fn('set_config', [eb.val('idle_in_transaction_session_timeout'), eb.val(String(this.leaseMs)), eb.lit(true)]).as('set'))
        .execute();
      // Fencing: the lease row locked and still at our epoch, so no newer leader can interleave its marks with ours.
      const held = await this.held(k, epoch).forUpdate().execute();
      if (held.length !== 1)
        throw new RelayFenced(`outbox relay lost its lease (epoch ${epoch}) before marking ${rows.length} events; the new leader republishes them`);
      await k
        .updateTable('outbox_events')
        .set((eb) => ({ published_at: eb.fn('now'), attempts: eb('attempts', '+', 1) }))
        .where(
          'id',
          'in',
          rows.map((r) => r.id),
        )
        .where('published_at', 'is', null)
        .execute();
      await k
        .updateTable('outbox_relay_lease')
        .set((eb) => ({ expires_at: secondsFromNow(eb, this.leaseMs / 1000) }))
        .where('name', '=', this.lease)
        .execute();
    });
    return rows.length;
  }

  /** The lease row, if it is ours at `epoch` and has time left. */
  private held(k: ReturnType<typeof kysely>, epoch: number) {
    return k
      .selectFrom('outbox_relay_lease')
      .select('name')
      .where('name', '=', this.lease)
      .where('holder', '=', this.holder)
      .where('epoch', '=', String(epoch))
      .where('expires_at', '>', (eb) => eb.fn('now'));
  }

  private async assertLeader(epoch: number): Promise<void> {
    const held = await this.held(kysely(this.orm.em.fork()), epoch).execute();
    if (held.length !== 1) throw new RelayFenced(`outbox relay lease (epoch ${epoch}) expired before publishing`);
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
