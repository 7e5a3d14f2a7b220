import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { kysely } from './kysely.ts';

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
  await kysely(em).insertInto('outbox_events').values(outboxRow(event, envelope)).execute();
  return envelope;
}

/** Many events in one statement (a batch of movements): the same rows appendOutboxEvent writes. */
export async function appendOutboxEvents(em: EntityManager, events: readonly NewOutboxEvent[]): Promise<void> {
  if (events.length === 0) return;
  const rows = events.map((event) =>
    outboxRow(event, {
      event_id: randomUUID(),
      event_type: event.type,
      occurred_at: new Date().toISOString(),
      key: event.key,
      payload: event.payload,
    }),
  );
  await kysely(em).insertInto('outbox_events').values(rows).execute();
}

/** The outbox row of one event: the envelope is the message's body, the headers carry its id and type (jsonb, serialised by the schema's json type). */
function outboxRow(event: NewOutboxEvent, envelope: EventEnvelope) {
  return {
    id: envelope.event_id,
    topic: event.topic,
    event_key: event.key,
    event_type: event.type,
    payload: { ...envelope },
    headers: { event_id: envelope.event_id, event_type: event.type, ...(event.headers ?? {}) },
  };
}
