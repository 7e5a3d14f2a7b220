import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrm, type Orm } from '../../src/adapters/persistence/orm.ts';
import { appendOutboxEvent } from '../../src/adapters/persistence/outbox.ts';
import { OutboxRelay } from '../../src/adapters/persistence/outbox-relay.ts';
import { KafkaJsEventBus } from '../../src/adapters/kafka/kafkajs-event-bus.ts';
import { InProcessEventBus } from '../../src/adapters/memory/in-process-event-bus.ts';
import type { BusMessage, EventBus, ReceivedMessage } from '../../src/application/ports/event-bus.ts';
import { requireEnv, uniq } from '../support/services.ts';

const logger = pino({ level: 'silent' });
let orm: Orm;
let kafka: KafkaJsEventBus;
beforeAll(async () => {
  orm = await createOrm({ url: requireEnv('TEST_DATABASE_URL'), poolMax: 6 });
  kafka = new KafkaJsEventBus({ brokers: requireEnv('TEST_KAFKA_BROKERS').split(','), clientId: 'outbox-test', logger });
});
afterAll(async () => {
  await kafka.close();
  await orm.close(true);
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
  ((await orm.em.getConnection().execute(`select count(*)::int as n from outbox_events where topic = ? and published_at is null`, [topic])) as [{ n: number }])[0].n;

describe('outbox relay', () => {
  it('publishes every committed event to Kafka once, in order per key', async () => {
    const topic = uniq('outbox-');
    await writeEvents(topic, ['acc-a', 'acc-b', 'acc-c'], 5);
    const got: ReceivedMessage[] = [];
    const sub = await kafka.subscribe(uniq('g-'), topic, async (m) => void got.push(m));
    // Two relays at once: the advisory lock lets one publish at a time, so nothing goes out twice.
    const a = new OutboxRelay(orm, kafka, logger);
    const b = new OutboxRelay(orm, kafka, logger);
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
    const relay = new OutboxRelay(orm, flaky, logger);
    await expect(drain(relay)).rejects.toThrow('broker down');
    expect(await unpublished(topic)).toBe(3);
    down = false;
    await drain(relay);
    expect(await unpublished(topic)).toBe(0);
  });
});
