import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type RunningPlatform } from '../../src/entrypoints/shared/platform.ts';
import { createPaymentModule } from '../../src/entrypoints/payment/payment.module.ts';
import type { ReceivedMessage, Subscription } from '../../src/application/ports/event-bus.ts';
import { realServicesConfig, uniq } from '../support/services.ts';
import { accessTokenFor } from '../support/tokens.ts';
import { createCustomer } from '../support/payment-fixtures.ts';

const topic = uniq('payment-events-');
let p: RunningPlatform;
let sub: Subscription;
const received: ReceivedMessage[] = [];

beforeAll(async () => {
  p = await startPlatform({
    service: 'payment-service',
    modules: [createPaymentModule({ reconciler: false })],
    config: realServicesConfig({ KAFKA_TOPIC_TRANSACTIONS: topic }),
  });
  await p.infra.events.publish(topic, [{ key: 'warm-up', value: '{}' }]); // creates the topic
  sub = await p.infra.events.subscribe(uniq('payment-events-test-'), topic, async (m) => {
    received.push(m);
  });
});
afterAll(async () => {
  await sub?.stop();
  await p?.stop();
});

async function waitFor<T>(find: () => T | undefined, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = find();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error('timed out waiting for the event');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('transaction events reach Kafka through the outbox', () => {
  it('a transfer publishes transaction.created for both sides, keyed by account id', async () => {
    const a = await createCustomer(p.infra.orm, { balance: '1000.00' });
    const b = await createCustomer(p.infra.orm);
    const token = accessTokenFor(p, { userId: a.userId, username: a.username });
    const r = await fetch(`${p.url}/api/payment/transfers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ recipient: b.username, amount: '250.00' }),
    });
    expect(r.status).toBe(201);
    const sent = ((await r.json()) as { data: { transaction_id: string; related_transaction_id: string } }).data;
    const parse = (m: ReceivedMessage) => JSON.parse(m.value) as { event_id: string; event_type: string; key: string; payload: Record<string, unknown> };
    const out = await waitFor(() => received.find((m) => m.value.includes(sent.transaction_id) && parse(m).payload.transaction_id === sent.transaction_id));
    const inn = await waitFor(() =>
      received.find((m) => m.value.includes(sent.related_transaction_id) && parse(m).payload.transaction_id === sent.related_transaction_id),
    );
    expect(out.key).toBe(a.accountId);
    expect(inn.key).toBe(b.accountId);
    expect(parse(out)).toMatchObject({
      event_type: 'transaction.created',
      payload: { account_id: a.accountId, user_id: a.userId, type: 'TRANSFER', status: 'SUCCESS', amount: '250.00', balance_after: '750.00' },
    });
    expect(parse(inn).payload).toMatchObject({ account_id: b.accountId, user_id: b.userId, amount: '250.00', balance_after: '250.00' });
    expect(parse(out).event_id).not.toBe(parse(inn).event_id);
  });
});
