import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { HTTP_METHODS } from '../../../domain/regulator/access-log.ts';
import { PERMISSIONS } from '../../../domain/regulator/permissions.ts';
import { RATE_WINDOWS, type RateLimits } from '../../../domain/regulator/rate-limits.ts';
import { generatedUuid, fixedChar, timestamp, timestampNow } from './columns.ts';

/** The api_permission[] columns: the domain's PERMISSIONS (a migration adds each new value to the type). */
const permissions = () => p.enum(PERMISSIONS).nativeEnumName('api_permission').array().default([]);

export const ExternalServiceSchema = defineEntity({
  name: 'ExternalService',
  tableName: 'external_services',
  properties: {
    id: generatedUuid(),
    company: p.string().unique(),
    serviceType: p.string().length(50).default('HISTORICAL_TRANSACTION'),
    contactEmail: p.string(),
    description: p.text().nullable(),
    isActive: p.boolean().default(true),
    createdAt: timestampNow(),
    updatedAt: timestampNow(),
    defaultPermissions: permissions(),
    defaultRateLimits: p.json<RateLimits>().defaultRaw(`'{}'`),
  },
  checks: [{ name: 'external_services_default_rate_limits_check', expression: `jsonb_typeof(default_rate_limits) = 'object'` }],
});
export type ExternalServiceRecord = InferEntity<typeof ExternalServiceSchema>;

export const ApiKeySchema = defineEntity({
  name: 'ApiKey',
  tableName: 'api_keys',
  properties: {
    id: generatedUuid(),
    externalServiceId: p.manyToOne(ExternalServiceSchema).mapToPk().fieldName('external_service_id'),
    keyName: p.string(),
    permissions: permissions(),
    // Unused since rate_limits (migration 20261125040000); kept in the table.
    rateLimitCount: p.integer().nullable(),
    rateLimitUnit: p.enum(RATE_WINDOWS).nativeEnumName('rate_limit_unit').default('minute'),
    expiresAt: timestamp().nullable(),
    isActive: p.boolean().default(true),
    createdAt: timestampNow(),
    updatedAt: timestampNow(),
    keyPrefix: p.string().length(32).nullable(),
    keyHash: fixedChar(64).nullable(),
    rateLimits: p.json<RateLimits>().defaultRaw(`'{}'`),
    allowedIps: p.array().nullable(),
    revokedAt: timestamp().nullable(),
    rotatedFrom: p.uuid().nullable(),
    lastUsedAt: timestamp().nullable(),
  },
  uniques: [{ name: 'api_keys_key_prefix_unique', properties: ['keyPrefix'] }],
  indexes: [{ name: 'api_keys_service_idx', properties: ['externalServiceId'] }],
  checks: [{ name: 'api_keys_rate_limits_check', expression: `jsonb_typeof(rate_limits) = 'object'` }],
});
// rotated_from references api_keys itself, which a property builder cannot name before the schema exists.
ApiKeySchema.addManyToOne('rotatedFrom', 'ApiKey', { fieldName: 'rotated_from', mapToPk: true, nullable: true, deleteRule: 'no action' });
export type ApiKeyRecord = InferEntity<typeof ApiKeySchema>;

export const ApiAccessLogSchema = defineEntity({
  name: 'ApiAccessLog',
  tableName: 'api_access_logs',
  properties: {
    id: generatedUuid(),
    // Null for requests refused before a key or service was known: every request is audited.
    externalServiceId: p.manyToOne(ExternalServiceSchema).mapToPk().fieldName('external_service_id').nullable().deleteRule('no action'),
    apiKeyId: p.manyToOne(ApiKeySchema).mapToPk().fieldName('api_key_id').nullable().deleteRule('no action'),
    endpoint: p.string().nullable(),
    httpMethod: p.enum(HTTP_METHODS).nativeEnumName('http_method').nullable(),
    ipAddress: p.text().nullable(),
    userAgent: p.text().nullable(),
    responseStatus: p.integer().nullable(),
    durationMs: p.integer().nullable(),
    createdAt: timestampNow(),
    errorCode: p.string().length(64).nullable(),
    requestId: p.string().length(128).nullable(),
  },
  indexes: [
    {
      name: 'api_access_logs_service_created_idx',
      expression: 'create index api_access_logs_service_created_idx on api_access_logs (external_service_id, created_at desc)',
    },
    { name: 'api_access_logs_created_idx', expression: 'create index api_access_logs_created_idx on api_access_logs (created_at desc)' },
  ],
});
export type ApiAccessLogRecord = InferEntity<typeof ApiAccessLogSchema>;
