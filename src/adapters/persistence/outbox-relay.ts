import { Gauge, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { BusMessage, EventBus } from '../../application/ports/event-bus.ts';
import type { Orm } from './orm.ts';

export interface OutboxRelayOptions {
  batchSize?: number;
  idleMs?: number;
  registry?: Registry;
}

interface Row {
  id: string;
  topic: string;
  event_key: string;
  payload: unknown;
  headers: Record<string, string>;
}

// One relay publishes at a time, whichever replica holds this lock: two relays publishing
// interleaved batches could reorder one account's events.
const RELAY_LOCK = 7_263_001;

/**
 * Publishes the transactional outbox to the event bus, in insertion order (so in order per key),
 * at least once: a row is marked published only after the bus acknowledged it, in the same
 * transaction that read it. Consumers dedupe on event_id.
 */
export class OutboxRelay {
  private readonly orm: Orm;
  private readonly events: EventBus;
  private readonly logger: Logger;
  private readonly batchSize: number;
  private readonly idleMs: number;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(orm: Orm, events: EventBus, logger: Logger, opts: OutboxRelayOptions = {}) {
    this.orm = orm;
    this.events = events;
    this.logger = logger;
    this.batchSize = opts.batchSize ?? 200;
    this.idleMs = opts.idleMs ?? 200;
    if (opts.registry) this.registerMetrics(opts.registry);
  }

  /** Publishes one batch; returns how many events went out (0 when idle or another relay holds the lock). */
  async runOnce(): Promise<number> {
    return this.orm.em.fork().transactional(async (em) => {
      const [lock] = (await em.execute(`select pg_try_advisory_xact_lock(?) as ok`, [RELAY_LOCK])) as [{ ok: boolean }];
      if (!lock.ok) return 0;
      const rows = (await em.execute(
        `select id, topic, event_key, payload, headers from outbox_events where published_at is null order by seq limit ?`,
        [this.batchSize],
      )) as Row[];
      if (rows.length === 0) return 0;
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
      await em.execute(`update outbox_events set published_at = now(), attempts = attempts + 1 where id in (${rows.map(() => '?').join(',')})`, rows.map((r) => r.id));
      return rows.length;
    });
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
  }

  private registerMetrics(registry: Registry): void {
    const orm = this.orm;
    const backlog = async () =>
      ((await orm.em.getConnection().execute(
        `select count(*)::int as n, coalesce(extract(epoch from now() - min(created_at)), 0)::float as age from outbox_events where published_at is null`,
      )) as [{ n: number; age: number }])[0];
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
