import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { EventBus, ReceivedMessage } from '../../src/application/ports/event-bus.ts';
import { InProcessEventBus } from '../../src/adapters/memory/in-process-event-bus.ts';
import { KafkaJsEventBus } from '../../src/adapters/kafka/kafkajs-event-bus.ts';
import { requireEnv, uniq } from '../support/services.ts';

const buses: EventBus[] = [];
afterAll(async () => {
  for (const b of buses) await b.close();
});

async function until(cond: () => boolean, ms = 30_000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each<[string, () => EventBus]>([
  ['InProcessEventBus', () => new InProcessEventBus()],
  [
    'KafkaJsEventBus',
    () => new KafkaJsEventBus({ brokers: requireEnv('TEST_KAFKA_BROKERS').split(','), clientId: 'contract-test', logger: pino({ level: 'silent' }) }),
  ],
])('EventBus contract: %s', (_name, make) => {
  const bus = make();
  buses.push(bus);

  it('answers ping', async () => {
    await bus.ping();
  });

  it('delivers published messages in order per key, with headers', async () => {
    const topic = uniq('contract-');
    const got: ReceivedMessage[] = [];
    await bus.publish(topic, [
      { key: 'acc-1', value: '{"n":1}', headers: { event_id: 'e1' } },
      { key: 'acc-1', value: '{"n":2}', headers: { event_id: 'e2' } },
    ]);
    const sub = await bus.subscribe(uniq('group-'), topic, async (m) => void got.push(m));
    await bus.publish(topic, [{ key: 'acc-1', value: '{"n":3}', headers: { event_id: 'e3' } }]);
    await until(() => got.length >= 3);
    await sub.stop();
    expect(got.map((m) => JSON.parse(m.value).n)).toEqual([1, 2, 3]);
    expect(got[0]!.headers?.event_id).toBe('e1');
    expect(got[0]!.key).toBe('acc-1');
  });

  it('redelivers a message whose handler failed, without skipping it', async () => {
    const topic = uniq('contract-');
    let attempts = 0;
    const done: string[] = [];
    const sub = await bus.subscribe(uniq('group-'), topic, async (m) => {
      if (m.value === 'poison-once' && attempts++ === 0) throw new Error('transient');
      done.push(m.value);
    });
    await bus.publish(topic, [
      { key: 'k', value: 'poison-once' },
      { key: 'k', value: 'after' },
    ]);
    await until(() => done.length >= 2);
    await sub.stop();
    expect(done).toEqual(['poison-once', 'after']);
    expect(attempts).toBeGreaterThanOrEqual(2);
  });
});
