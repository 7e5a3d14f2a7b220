import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { fixedChar, generatedUuid, timestamp, timestampNow } from './columns.ts';

/** The transactional outbox: events written in the change's transaction, published by the relay in seq order. */
export const OutboxEventSchema = defineEntity({
  name: 'OutboxEvent',
  tableName: 'outbox_events',
  properties: {
    id: generatedUuid(),
    topic: p.string(),
    eventKey: p.string(),
    eventType: p.string().length(100),
    payload: p.json<Record<string, unknown>>(),
    headers: p.json<Record<string, string>>().defaultRaw(`'{}'`),
    createdAt: timestampNow(),
    publishedAt: timestamp().nullable(),
    attempts: p.integer().default(0),
    seq: p.bigint('string').autoincrement(),
  },
  indexes: [
    { name: 'outbox_events_unpublished_idx', expression: 'create index outbox_events_unpublished_idx on outbox_events (seq) where published_at is null' },
  ],
});
export type OutboxEventRecord = InferEntity<typeof OutboxEventSchema>;

/** The outbox relay's leadership: a lease with a deadline, fenced by its epoch. */
export const OutboxRelayLeaseSchema = defineEntity({
  name: 'OutboxRelayLease',
  tableName: 'outbox_relay_lease',
  properties: {
    name: p.string().length(50).primary(),
    holder: p.string().length(100),
    epoch: p.bigint('string'),
    expiresAt: timestamp(),
  },
});
export type OutboxRelayLeaseRecord = InferEntity<typeof OutboxRelayLeaseSchema>;

/** The first response to a money-moving POST, per (user, route, Idempotency-Key). */
export const IdempotencyKeySchema = defineEntity({
  name: 'IdempotencyKey',
  tableName: 'idempotency_keys',
  properties: {
    userId: p.integer().primary(),
    route: p.string().length(100).primary(),
    idempotencyKey: p.string().primary(),
    requestHash: fixedChar(64),
    status: p
      .enum(['IN_FLIGHT', 'DONE'] as const)
      .nativeEnumName('idempotency_status')
      .default('IN_FLIGHT'),
    owner: p.uuid(),
    lockedUntil: timestamp(),
    responseStatus: p.integer().nullable(),
    responseBody: p.json<unknown>().nullable(),
    createdAt: timestampNow(),
    expiresAt: timestamp(),
  },
  indexes: [{ name: 'idempotency_keys_expires_idx', properties: ['expiresAt'] }],
});
export type IdempotencyKeyRecord = InferEntity<typeof IdempotencyKeySchema>;

/** Event ids a consumer has applied, so that a redelivered event changes nothing. */
export const ProcessedMessageSchema = defineEntity({
  name: 'ProcessedMessage',
  tableName: 'processed_messages',
  properties: {
    consumer: p.string().length(100).primary(),
    eventId: p.string().length(100).primary(),
    eventType: p.string().length(100).nullable(),
    processedAt: timestampNow(),
  },
});
export type ProcessedMessageRecord = InferEntity<typeof ProcessedMessageSchema>;
