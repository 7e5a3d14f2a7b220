import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Statement } from './one-statement.ts';

/** What every event on the bus carries; consumers dedupe on `event_id`. */
export interface EventEnvelope<P = Record<string, unknown>> {
  event_id: string;
  event_type: string;
  occurred_at: string;
  /** The aggregate the event is about (an account id, a user id): the Kafka key, so its events stay in order. */
  key: string;
  payload: P;
}

export interface NewOutboxEvent {
  topic: string;
  type: string;
  key: string;
  payload: Record<string, unknown>;
  headers?: Record<string, string>;
}

/**
 * Appends an event to the transactional outbox through `em`, which must be the EntityManager of the
 * transaction that makes the change: the event exists if and only if the change committed. The
 * outbox relay publishes it afterwards.
 */
export async function appendOutboxEvent(em: EntityManager, event: NewOutboxEvent): Promise<EventEnvelope> {
  const envelope = newEnvelope(event);
  const insert = outboxInsert([event], [envelope]);
  await em.execute(insert.sql, insert.params);
  return envelope;
}

/** A new event's envelope: its id and time. */
export function newEnvelope(event: NewOutboxEvent): EventEnvelope {
  return { event_id: randomUUID(), event_type: event.type, occurred_at: new Date().toISOString(), key: event.key, payload: event.payload };
}

/**
 * The outbox rows of `events` as one insert statement, also usable as a data-modifying CTE (the
 * ledger batch writes its events in the statement that writes its balances). Hand-written SQL: it
 * runs inside every movement (see the README's "Where a table and its queries live"); its columns
 * are OutboxEventSchema's. The envelope is the message's body, the headers carry its id and type.
 */
export function outboxInsert(events: readonly NewOutboxEvent[], envelopes: readonly EventEnvelope[]): Statement {
  return {
    sql: `insert into outbox_events (id, topic, event_key, event_type, payload, headers) values ${events.map(() => '(?::uuid, ?, ?, ?, ?::jsonb, ?::jsonb)').join(', ')}`,
    params: events.flatMap((event, i) => {
      const envelope = envelopes[i]!;
      const headers = { event_id: envelope.event_id, event_type: event.type, ...(event.headers ?? {}) };
      return [envelope.event_id, event.topic, event.key, event.type, JSON.stringify(envelope), JSON.stringify(headers)];
    }),
  };
}
