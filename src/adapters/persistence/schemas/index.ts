import { EntitySchema } from '@mikro-orm/core';
import { MoneyType } from '../types/money.type.ts';
import {
  ACCOUNT_STATUSES,
  API_PERMISSIONS,
  HTTP_METHODS,
  PAYMENT_METHODS,
  RATE_LIMIT_UNITS,
  TRANSACTION_STATUSES,
  TRANSACTION_TYPES,
  USER_ROLES,
  type AccountRecord,
  type ApiAccessLogRecord,
  type ApiKeyRecord,
  type AuthenticationRecord,
  type ExternalServiceRecord,
  type HistoricalTransactionRecord,
  type OutboxEventRecord,
  type UserRecord,
} from '../records.ts';

const timestamps = {
  createdAt: { type: 'Date', fieldName: 'created_at', onCreate: () => new Date() },
  updatedAt: { type: 'Date', fieldName: 'updated_at', onCreate: () => new Date(), onUpdate: () => new Date() },
} as const;
const money = (fieldName: string) => ({ type: MoneyType, fieldName, columnType: 'numeric(15,2)' }) as const;
const nativeEnum = (items: readonly string[], nativeEnumName: string, fieldName: string, nullable = false) =>
  ({ enum: true, items: [...items], nativeEnumName, fieldName, nullable }) as const;

export const UserSchema = new EntitySchema<UserRecord>({
  name: 'User',
  tableName: 'users',
  properties: {
    id: { type: 'number', primary: true, autoincrement: true },
    username: { type: 'string', unique: true },
    email: { type: 'string', unique: true },
    phone: { type: 'string', unique: true },
    password: { type: 'string', hidden: true },
    role: nativeEnum(USER_ROLES, 'user_role', 'role'),
    ...timestamps,
  },
});

export const AuthenticationSchema = new EntitySchema<AuthenticationRecord>({
  name: 'Authentication',
  tableName: 'authentications',
  properties: {
    token: { type: 'string', primary: true, length: 512 },
    userId: { type: 'number', fieldName: 'user_id' },
    createdAt: timestamps.createdAt,
  },
});

export const AccountSchema = new EntitySchema<AccountRecord>({
  name: 'Account',
  tableName: 'accounts',
  properties: {
    id: { type: 'uuid', primary: true },
    // Null for the bank's system accounts (FUNDING, settlements), which carry a system_code instead.
    userId: { type: 'number', fieldName: 'user_id', unique: true, nullable: true },
    systemCode: { type: 'string', fieldName: 'system_code', nullable: true, unique: true },
    balance: money('balance'),
    currency: { type: 'string', length: 3 },
    accountStatus: nativeEnum(ACCOUNT_STATUSES, 'account_status', 'account_status'),
    ...timestamps,
  },
});

export const HistoricalTransactionSchema = new EntitySchema<HistoricalTransactionRecord>({
  name: 'HistoricalTransaction',
  tableName: 'historical_transactions',
  properties: {
    id: { type: 'uuid', primary: true },
    userId: { type: 'number', fieldName: 'user_id' },
    accountId: { type: 'uuid', fieldName: 'account_id' },
    transactionId: { type: 'string', fieldName: 'transaction_id', length: 50, unique: true },
    transactionType: nativeEnum(TRANSACTION_TYPES, 'transaction_type', 'transaction_type'),
    transactionStatus: nativeEnum(TRANSACTION_STATUSES, 'transaction_status', 'transaction_status'),
    amount: money('amount'),
    balanceBefore: money('balance_before'),
    balanceAfter: money('balance_after'),
    currency: { type: 'string', length: 3 },
    description: { type: 'text', nullable: true },
    externalReference: { type: 'string', fieldName: 'external_reference', nullable: true },
    paymentMethod: nativeEnum(PAYMENT_METHODS, 'payment_method', 'payment_method', true),
    metadata: { type: 'text', nullable: true },
    isAccessibleExternal: { type: 'boolean', fieldName: 'is_accessible_external' },
    ...timestamps,
  },
});

export const ExternalServiceSchema = new EntitySchema<ExternalServiceRecord>({
  name: 'ExternalService',
  tableName: 'external_services',
  properties: {
    id: { type: 'uuid', primary: true },
    company: { type: 'string', unique: true },
    serviceType: { type: 'string', fieldName: 'service_type', length: 50 },
    contactEmail: { type: 'string', fieldName: 'contact_email' },
    description: { type: 'text', nullable: true },
    isActive: { type: 'boolean', fieldName: 'is_active' },
    ...timestamps,
  },
});

export const ApiKeySchema = new EntitySchema<ApiKeyRecord>({
  name: 'ApiKey',
  tableName: 'api_keys',
  properties: {
    id: { type: 'uuid', primary: true },
    externalServiceId: { type: 'uuid', fieldName: 'external_service_id' },
    keyName: { type: 'string', fieldName: 'key_name' },
    permissions: { type: 'string[]', columnType: 'api_permission[]', items: [...API_PERMISSIONS] },
    rateLimitCount: { type: 'number', fieldName: 'rate_limit_count', nullable: true },
    rateLimitUnit: nativeEnum(RATE_LIMIT_UNITS, 'rate_limit_unit', 'rate_limit_unit'),
    expiresAt: { type: 'Date', fieldName: 'expires_at', nullable: true },
    isActive: { type: 'boolean', fieldName: 'is_active' },
    ...timestamps,
  },
});

export const ApiAccessLogSchema = new EntitySchema<ApiAccessLogRecord>({
  name: 'ApiAccessLog',
  tableName: 'api_access_logs',
  properties: {
    id: { type: 'uuid', primary: true },
    externalServiceId: { type: 'uuid', fieldName: 'external_service_id' },
    apiKeyId: { type: 'uuid', fieldName: 'api_key_id' },
    endpoint: { type: 'string', nullable: true },
    httpMethod: nativeEnum(HTTP_METHODS, 'http_method', 'http_method', true),
    ipAddress: { type: 'text', fieldName: 'ip_address', nullable: true },
    userAgent: { type: 'text', fieldName: 'user_agent', nullable: true },
    responseStatus: { type: 'number', fieldName: 'response_status', nullable: true },
    durationMs: { type: 'number', fieldName: 'duration_ms', nullable: true },
    createdAt: timestamps.createdAt,
  },
});

export const OutboxEventSchema = new EntitySchema<OutboxEventRecord>({
  name: 'OutboxEvent',
  tableName: 'outbox_events',
  properties: {
    id: { type: 'uuid', primary: true },
    topic: { type: 'string' },
    eventKey: { type: 'string', fieldName: 'event_key' },
    eventType: { type: 'string', fieldName: 'event_type' },
    payload: { type: 'json' },
    headers: { type: 'json' },
    createdAt: timestamps.createdAt,
    publishedAt: { type: 'Date', fieldName: 'published_at', nullable: true },
    attempts: { type: 'number' },
  },
});

/** Every mapping; services add theirs here as their tables come. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a heterogeneous list of schemas
export const entitySchemas: EntitySchema<any>[] = [
  UserSchema,
  AuthenticationSchema,
  AccountSchema,
  HistoricalTransactionSchema,
  ExternalServiceSchema,
  ApiKeySchema,
  ApiAccessLogSchema,
  OutboxEventSchema,
];
