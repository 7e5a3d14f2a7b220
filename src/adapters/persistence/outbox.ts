import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';

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
  const envelope: EventEnvelope = {
    event_id: randomUUID(),
    event_type: event.type,
    occurred_at: new Date().toISOString(),
    key: event.key,
    payload: event.payload,
  };
  await em.execute(`insert into outbox_events (id, topic, event_key, event_type, payload, headers) values (?, ?, ?, ?, ?::jsonb, ?::jsonb)`, [
    envelope.event_id,
    event.topic,
    event.key,
    event.type,
    JSON.stringify(envelope),
    JSON.stringify({ event_id: envelope.event_id, event_type: event.type, ...(event.headers ?? {}) }),
  ]);
  return envelope;
}

/** Many events in one statement (a batch of movements): the same rows appendOutboxEvent writes. */
export async function appendOutboxEvents(em: EntityManager, events: readonly NewOutboxEvent[]): Promise<void> {
  if (events.length === 0) return;
  const params: unknown[] = [];
  for (const event of events) {
    const envelope: EventEnvelope = {
      event_id: randomUUID(),
      event_type: event.type,
      occurred_at: new Date().toISOString(),
      key: event.key,
      payload: event.payload,
    };
    params.push(
      envelope.event_id,
      event.topic,
      event.key,
      event.type,
      JSON.stringify(envelope),
      JSON.stringify({ event_id: envelope.event_id, event_type: event.type, ...(event.headers ?? {}) }),
    );
  }
  await em.execute(
    `insert into outbox_events (id, topic, event_key, event_type, payload, headers) values ${events.map(() => '(?, ?, ?, ?, ?::jsonb, ?::jsonb)').join(', ')}`,
    params,
  );
}
