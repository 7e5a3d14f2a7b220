import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import type { ActorType, AuditCategory, Json } from '../../../domain/audit/audit-event.ts';
import { fixedChar, timestamp } from './columns.ts';

// UPDATE, DELETE and TRUNCATE are refused by triggers (and revoked): see the audit-trail migration.
// The TRUNCATE triggers (<table>_no_truncate) are not listed: MikroORM's introspection does not
// read statement-level triggers, so the schema diff could not compare them (tests/integration/schema-diff.test.ts).
const appendOnly = (table: string) => [
  {
    name: `${table}_append_only`,
    timing: 'before' as const,
    events: ['update' as const, 'delete' as const],
    forEach: 'row' as const,
    expression: `create trigger ${table}_append_only before update or delete on ${table} for each row execute function audit_append_only()`,
  },
];

/** The chain's head: one row (id 1), locked by every append. */
export const AuditChainHeadSchema = defineEntity({
  name: 'AuditChainHead',
  tableName: 'audit_chain_head',
  properties: {
    id: p.smallint().primary().autoincrement(false),
    seq: p.bigint('string'),
    hash: fixedChar(64),
  },
  checks: [{ name: 'audit_chain_head_id_check', expression: 'id = 1' }],
});
export type AuditChainHeadRecord = InferEntity<typeof AuditChainHeadSchema>;

export const AuditEventSchema = defineEntity({
  name: 'AuditEvent',
  tableName: 'audit_events',
  properties: {
    seq: p.bigint('string').primary().autoincrement(false),
    id: p.uuid().unique(),
    occurredAt: timestamp(),
    category: p.string().length(20).$type<AuditCategory>(),
    action: p.string().length(100),
    actorType: p.string().length(20).$type<ActorType>(),
    actorId: p.string(),
    objectType: p.string().length(64),
    objectId: p.string().nullable(),
    before: p.json<Json>().nullable(),
    after: p.json<Json>().nullable(),
    details: p.json<Json>().nullable(),
    sourceIp: p.string().length(64).nullable(),
    userAgent: p.string().length(512).nullable(),
    requestId: p.string().length(128).nullable(),
    prevHash: fixedChar(64),
    hash: fixedChar(64),
  },
  indexes: [
    { name: 'audit_events_occurred_idx', properties: ['occurredAt'] },
    { name: 'audit_events_category_idx', properties: ['category', 'seq'] },
    { name: 'audit_events_action_idx', properties: ['action', 'seq'] },
    { name: 'audit_events_object_idx', properties: ['objectType', 'objectId'] },
  ],
  triggers: appendOnly('audit_events'),
});
export type AuditEventRecord = InferEntity<typeof AuditEventSchema>;

/** The head signed (Ed25519) with a key the database does not hold. */
export const AuditCheckpointSchema = defineEntity({
  name: 'AuditCheckpoint',
  tableName: 'audit_checkpoints',
  properties: {
    seq: p.bigint('string').primary().autoincrement(false),
    hash: fixedChar(64),
    signedAt: timestamp(),
    keyId: p.string().length(64),
    signature: p.text(),
  },
  triggers: appendOnly('audit_checkpoints'),
});
export type AuditCheckpointRecord = InferEntity<typeof AuditCheckpointSchema>;
