import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { ROLES } from '../../../domain/identity/user.ts';
import type { RevocationReason } from '../../../domain/identity/refresh-token-family.ts';
import { fixedChar, timestamp, timestampNow } from './columns.ts';

export const UserSchema = defineEntity({
  name: 'User',
  tableName: 'users',
  properties: {
    id: p.integer().primary().autoincrement(),
    username: p.string().unique(),
    email: p.string().unique(),
    phone: p.string().unique(),
    password: p.string().hidden(),
    role: p.enum(ROLES).nativeEnumName('user_role').default('USER'),
    createdAt: timestampNow(),
    updatedAt: timestampNow(),
  },
  indexes: [
    // Emails and usernames are unique case-insensitively.
    { name: 'users_email_lower_unique', expression: 'create unique index users_email_lower_unique on users (lower(email))' },
    { name: 'users_username_lower_unique', expression: 'create unique index users_username_lower_unique on users (lower(username))' },
  ],
});
export type UserRecord = InferEntity<typeof UserSchema>;

export const AuthenticationSchema = defineEntity({
  name: 'Authentication',
  tableName: 'authentications',
  properties: {
    token: p.string().primary().length(512),
    userId: p.manyToOne(UserSchema).mapToPk().fieldName('user_id').deleteRule('cascade'),
    createdAt: timestampNow(),
  },
  indexes: [{ name: 'authentications_user_id_idx', properties: ['userId'] }],
});
export type AuthenticationRecord = InferEntity<typeof AuthenticationSchema>;

export const RefreshTokenFamilySchema = defineEntity({
  name: 'RefreshTokenFamily',
  tableName: 'refresh_token_families',
  properties: {
    id: p.uuid().primary(),
    userId: p.manyToOne(UserSchema).mapToPk().fieldName('user_id').deleteRule('cascade'),
    currentTokenHash: fixedChar(64),
    usedTokenHashes: p.array().default([]),
    accessJti: p.string().length(64).nullable(),
    createdAt: timestampNow(),
    rotatedAt: timestamp().nullable(),
    expiresAt: timestamp(),
    revokedAt: timestamp().nullable(),
    revokedReason: p.string().length(50).$type<RevocationReason>().nullable(),
  },
  uniques: [{ name: 'refresh_token_families_current_hash_unique', properties: ['currentTokenHash'] }],
  indexes: [
    {
      name: 'refresh_token_families_used_hashes_idx',
      expression: 'create index refresh_token_families_used_hashes_idx on refresh_token_families using gin (used_token_hashes)',
    },
    { name: 'refresh_token_families_user_idx', properties: ['userId', 'expiresAt'] },
    {
      name: 'refresh_token_families_access_jti_idx',
      expression: 'create index refresh_token_families_access_jti_idx on refresh_token_families (access_jti) where access_jti is not null',
    },
  ],
});
export type RefreshTokenFamilyRecord = InferEntity<typeof RefreshTokenFamilySchema>;
