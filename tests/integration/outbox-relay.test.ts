import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrm, type Orm } from '../../src/adapters/persistence/orm.ts';
import { appendOutboxEvent } from '../../src/adapters/persistence/outbox.ts';
import { OutboxRelay, RelayFenced } from '../../src/adapters/persistence/outbox-relay.ts';
import { KafkaJsEventBus } from '../../src/adapters/kafka/kafkajs-event-bus.ts';
import { InProcessEventBus } from '../../src/adapters/memory/in-process-event-bus.ts';
import type { BusMessage, EventBus, ReceivedMessage } from '../../src/application/ports/event-bus.ts';
import { requireEnv, uniq } from '../support/services.ts';
import { createIsolatedDatabase } from '../support/isolated-database.ts';

const logger = pino({ level: 'silent' });
let orm: Orm;
let kafka: KafkaJsEventBus;
let db: Awaited<ReturnType<typeof createIsolatedDatabase>>;
// A database of its own: relay leadership is one lease row per database, and the platforms other
// suites run at the same time on the shared test database would compete for it (and publish these
// events themselves), which says nothing about the relay and makes the timings and counts random.
beforeAll(async () => {
  db = await createIsolatedDatabase('onegate_outbox');
  orm = await createOrm({ url: db.url, poolMax: 6 });
  kafka = new KafkaJsEventBus({ brokers: requireEnv('TEST_KAFKA_BROKERS').split(','), clientId: 'outbox-test', logger });
});
afterAll(async () => {
  await kafka.close();
  await orm.close(true);
  await db.drop();
});

async function writeEvents(topic: string, keys: string[], perKey: number) {
  for (let i = 0; i < perKey; i++) {
    for (const key of keys) {
      await orm.em.fork().transactional((em) => appendOutboxEvent(em, { topic, type: 'test.event', key, payload: { i } }));
    }
  }
}

async function drain(relay: OutboxRelay) {
  while ((await relay.runOnce()) > 0);
}

const unpublished = async (topic: string) =>
  (
    (await orm.em.getConnection().execute(`select count(*)::int as n from outbox_events where topic = ? and published_at is null`, [topic])) as [{ n: number }]
  )[0].n;

describe('outbox relay', () => {
  it('publishes every committed event to Kafka once, in order per key', async () => {
    const topic = uniq('outbox-');
    await writeEvents(topic, ['acc-a', 'acc-b', 'acc-c'], 5);
    const got: ReceivedMessage[] = [];
    const sub = await kafka.subscribe(uniq('g-'), topic, async (m) => void got.push(m));
    // Two relays at once: the lease lets one publish at a time, so nothing goes out twice.
    const leaseName = uniq('lease-');
    const a = new OutboxRelay(orm, kafka, logger, { leaseName });
    const b = new OutboxRelay(orm, kafka, logger, { leaseName });
    await Promise.all([drain(a), drain(b)]);
    await drain(a);
    const deadline = Date.now() + 30_000;
    while (got.length < 15 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await sub.stop();
    expect(got).toHaveLength(15);
    for (const key of ['acc-a', 'acc-b', 'acc-c']) {
      const seq = got.filter((m) => m.key === key).map((m) => (JSON.parse(m.value) as { payload: { i: number } }).payload.i);
      expect(seq).toEqual([0, 1, 2, 3, 4]);
    }
    const ids = got.map((m) => (JSON.parse(m.value) as { event_id: string }).event_id);
    expect(new Set(ids).size).toBe(15);
    expect(got[0]!.headers?.event_id).toBe(ids[0]);
    expect(await unpublished(topic)).toBe(0);
  });

  it('keeps events unpublished while the bus fails, and publishes them once it recovers', async () => {
    const topic = uniq('outbox-');
    await writeEvents(topic, ['k'], 3);
    const inner = new InProcessEventBus();
    let down = true;
    const flaky: EventBus = {
      publish: (t: string, m: BusMessage[]) => (down ? Promise.reject(new Error('broker down')) : inner.publish(t, m)),
      subscribe: inner.subscribe.bind(inner),
      ping: inner.ping.bind(inner),
      close: inner.close.bind(inner),
    };
    const relay = new OutboxRelay(orm, flaky, logger, { leaseName: uniq('lease-') });
    await expect(drain(relay)).rejects.toThrow('broker down');
    expect(await unpublished(topic)).toBe(3);
    down = false;
    await drain(relay);
    expect(await unpublished(topic)).toBe(0);
  });

  it('replaces a stalled leader within the lease, and the resumed old leader cannot mark what it sent', async () => {
    const topic = uniq('outbox-');
    await writeEvents(topic, ['acc'], 4);
    const leaseName = uniq('lease-');
    const inner = new InProcessEventBus();
    const seen: string[] = [];
    await inner.subscribe('g', topic, async (m) => void seen.push((JSON.parse(m.value) as { event_id: string }).event_id));
    // The old leader freezes inside its send (a SIGSTOP mid-publish) until released.
    let release!: () => void;
    const frozen = new Promise<void>((r) => (release = r));
    let sendStarted!: () => void;
    const started = new Promise<void>((r) => (sendStarted = r));
    const stalling: EventBus = {
      publish: async (t: string, m: BusMessage[]) => {
        sendStarted();
        await frozen;
        await inner.publish(t, m);
      },
      subscribe: inner.subscribe.bind(inner),
      ping: inner.ping.bind(inner),
      close: inner.close.bind(inner),
    };
    const leaseMs = 1000;
    const old = new OutboxRelay(orm, stalling, logger, { leaseName, leaseMs });
    const fresh = new OutboxRelay(orm, inner, logger, { leaseName, leaseMs });
    const oldRun = old.runOnce();
    oldRun.catch(() => {});
    await Promise.race([started, oldRun]);
    const stalledAt = Date.now();
    // While the old lease holds, the other replica stays a follower.
    expect(await fresh.runOnce()).toBe(0);
    let taken = 0;
    while ((taken = await fresh.runOnce()) === 0) await new Promise((r) => setTimeout(r, 50));
    const replacedAfter = Date.now() - stalledAt;
    expect(taken).toBeGreaterThan(0);
    expect(replacedAfter).toBeLessThan(leaseMs + 1500);
    await drain(fresh); // the shared test database may hold other suites' rows ahead of ours
    expect(await unpublished(topic)).toBe(0);
    // The old leader resumes: its send goes out (a duplicate the consumers dedupe), its mark is fenced off.
    release();
    await expect(oldRun).rejects.toBeInstanceOf(RelayFenced);
    const [attempts] = (await orm.em.getConnection().execute(`select max(attempts)::int as n from outbox_events where topic = ?`, [topic])) as [{ n: number }];
    expect(attempts.n).toBe(1);
    // And it stays a follower while the new leader renews.
    expect(await old.runOnce()).toBe(0);
    // Order per key: the new leader's publication is complete and in order; the stale batch only repeats it.
    const firstFour = seen.slice(0, 4);
    expect(new Set(firstFour).size).toBe(4);
    expect(new Set(seen).size).toBe(4);
    await inner.close();
  });

  it('hands leadership over at once on a graceful stop', async () => {
    const leaseName = uniq('lease-');
    const bus = new InProcessEventBus();
    const a = new OutboxRelay(orm, bus, logger, { leaseName, leaseMs: 30_000 });
    const b = new OutboxRelay(orm, bus, logger, { leaseName, leaseMs: 30_000 });
    expect(await a.acquire()).not.toBeNull();
    expect(await b.acquire()).toBeNull();
    const epoch = await a.acquire();
    await a.resign();
    const next = await b.acquire();
    expect(next).toBe(epoch! + 1);
    await bus.close();
  });
});
