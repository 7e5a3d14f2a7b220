import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { createOrm, type Orm } from '../../src/adapters/persistence/orm.ts';
import { KafkaJsEventBus } from '../../src/adapters/kafka/kafkajs-event-bus.ts';
import { InProcessEventBus } from '../../src/adapters/memory/in-process-event-bus.ts';
import { PostgresReportProjection } from '../../src/adapters/persistence/transaction/postgres-report-projection.ts';
import { dlqTopicOf, TransactionEventsConsumer } from '../../src/application/transaction/transaction-events.consumer.ts';
import type { ReceivedMessage } from '../../src/application/ports/event-bus.ts';
import { requireEnv, uniq } from '../support/services.ts';
import { createTxUser, eventually, insertTx, type TxUser } from '../support/transaction-fixtures.ts';

const logger = pino({ level: 'silent' });
let orm: Orm;
let bus: KafkaJsEventBus;
let user: TxUser;
const day = `19${70 + Math.floor(Math.random() * 29)}-0${1 + Math.floor(Math.random() * 9)}-2${Math.floor(Math.random() * 8)}`;

beforeAll(async () => {
  orm = await createOrm({ url: requireEnv('TEST_DATABASE_URL'), poolMax: 4 });
  bus = new KafkaJsEventBus({ brokers: requireEnv('TEST_KAFKA_BROKERS').split(','), clientId: 'test-transaction-events', logger });
  user = await createTxUser(orm);
});
afterAll(async () => {
  await bus?.close();
  await orm?.close(true);
});

const envelope = (transactionId: string, type = 'transaction.created', eventId: string = crypto.randomUUID()) =>
  JSON.stringify({
    event_id: eventId,
    event_type: type,
    occurred_at: new Date().toISOString(),
    key: user.accountId,
    payload: { transaction_id: transactionId, user_id: user.userId, amount: '1.00' },
  });

/** The read model's lines for `day`, and what a direct aggregate over historical_transactions says. */
async function readModelAndTruth() {
  const conn = orm.em.getConnection();
  const model = await conn.execute(
    `select transaction_type::text as t, transaction_status::text as s, payment_method as m, is_accessible_external as a, tx_count::int as n, amount::numeric(20,2)::text as amount
     from transaction_daily_aggregates where day = ?::date and tx_count <> 0 order by 1, 2, 3, 4`,
    [day],
  );
  const truth = await conn.execute(
    `select transaction_type::text as t, transaction_status::text as s, coalesce(payment_method::text, '') as m, is_accessible_external as a, count(*)::int as n, sum(amount)::numeric(20,2)::text as amount
     from historical_transactions where (created_at at time zone 'Asia/Jakarta')::date = ?::date group by 1, 2, 3, 4 order by 1, 2, 3, 4`,
    [day],
  );
  return { model, truth };
}

describe('transaction-events consumer against Kafka and PostgreSQL', () => {
  it('keeps the read model equal to SQL, processes each event once, dead-letters poison and moves on', async () => {
    const topic = uniq('tx-events-it-');
    const group = uniq('grp-');
    const consumer = new TransactionEventsConsumer(bus, new PostgresReportProjection(orm), null, logger, { groupId: group, topic });
    const dlq: ReceivedMessage[] = [];
    const dlqSub = await bus.subscribe(uniq('dlq-reader-'), dlqTopicOf(topic), async (m) => void dlq.push(m));
    await consumer.start();
    try {
      const a = await insertTx(orm, user, { type: 'TOPUP', status: 'PENDING', amount: '50000.00', createdAt: `${day}T10:00:00+07:00` });
      const b = await insertTx(orm, user, { type: 'PAYMENT', amount: '1500.25', method: null, createdAt: `${day}T11:00:00+07:00` });
      const c = await insertTx(orm, user, { type: 'TRANSFER', amount: '10.00', accessible: false, createdAt: `${day}T12:00:00+07:00` });
      const events = [envelope(a.transactionId), envelope(b.transactionId), envelope(c.transactionId)];
      await bus.publish(topic, [
        ...events.map((value) => ({ key: user.accountId, value })),
        { key: user.accountId, value: 'this is not json' },
        { key: user.accountId, value: JSON.stringify({ event_id: crypto.randomUUID(), event_type: 'transaction.created', payload: {} }) },
        {
          key: user.accountId,
          value: JSON.stringify({ event_id: crypto.randomUUID(), event_type: 'account.suspended', payload: { account_id: user.accountId } }),
        },
        // Every event delivered twice.
        ...events.map((value) => ({ key: user.accountId, value })),
      ]);
      await eventually(async () => {
        const { model, truth } = await readModelAndTruth();
        expect(model).toEqual(truth);
        expect(truth).toHaveLength(3);
      }, 30_000);

      // A status change after the fact, announced (twice) after the poison: the partition moved on.
      await orm.em
        .getConnection()
        .execute(`update historical_transactions set transaction_status = 'SUCCESS', updated_at = now() where transaction_id = ?`, [a.transactionId]);
      const change = envelope(a.transactionId, 'transaction.updated');
      await bus.publish(topic, [
        { key: user.accountId, value: change },
        { key: user.accountId, value: change },
      ]);
      await eventually(async () => {
        const { model, truth } = await readModelAndTruth();
        expect(model).toEqual(truth);
        expect(truth.find((l) => l.t === 'TOPUP')).toMatchObject({ s: 'SUCCESS', n: 1, amount: '50000.00' });
      }, 30_000);

      const processed = (await orm.em.getConnection().execute(`select count(*)::int as n from processed_messages where consumer = ?`, [group])) as [
        { n: number },
      ];
      expect(processed[0].n).toBe(4);
      await eventually(async () => expect(dlq).toHaveLength(2), 30_000);
      expect(dlq.map((m) => m.headers?.['x-dlq-reason'])).toEqual(['value is not JSON', 'payload.transaction_id missing or invalid']);
      expect(dlq[0]!.value).toBe('this is not json');
      expect(dlq[0]!.headers?.['x-original-topic']).toBe(topic);
    } finally {
      await consumer.stop();
      await dlqSub.stop();
    }
  });
});

describe('TransactionEventsConsumer semantics (in-process bus)', () => {
  it('applying an event twice changes nothing', async () => {
    const projection = new PostgresReportProjection(orm);
    const t = await insertTx(orm, user, { type: 'REFUND', amount: '7.77', createdAt: `${day}T20:00:00+07:00` });
    const before = await readModelAndTruth();
    const eventId = crypto.randomUUID();
    expect(await projection.apply('unit', eventId, 'transaction.created', t.transactionId)).toBe('applied');
    const once = await readModelAndTruth();
    expect(await projection.apply('unit', eventId, 'transaction.created', t.transactionId)).toBe('duplicate');
    // Even a second, different event about the same unchanged row moves nothing.
    expect(await projection.apply('unit', crypto.randomUUID(), 'transaction.updated', t.transactionId)).toBe('applied');
    const after = await readModelAndTruth();
    expect(after.model).toEqual(once.model);
    expect(once.model).not.toEqual(before.model);
  });

  it('retries a failing message, then dead-letters it after maxAttempts', async () => {
    const inproc = new InProcessEventBus();
    const failing = { apply: async () => Promise.reject(new Error('database is down')) };
    const topic = uniq('t-');
    const consumer = new TransactionEventsConsumer(inproc, failing, null, logger, { groupId: 'g', topic, maxAttempts: 3 });
    const msg: ReceivedMessage = { topic, partition: 0, offset: '7', key: 'k', value: envelope('TRX-1') };
    await expect(consumer.handle(msg)).rejects.toThrow('database is down');
    await expect(consumer.handle(msg)).rejects.toThrow('database is down');
    const dead: ReceivedMessage[] = [];
    const sub = await inproc.subscribe('reader', dlqTopicOf(topic), async (m) => void dead.push(m));
    await consumer.handle(msg);
    await eventually(async () => expect(dead).toHaveLength(1));
    expect(dead[0]!.headers?.['x-dlq-reason']).toBe('failed 3 times: database is down');
    await sub.stop();
    await inproc.close();
  });
});
