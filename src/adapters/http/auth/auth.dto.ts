import { z } from 'zod';
import type { Session } from '../../../application/auth/shared/session.ts';
import { ROLES, type AccountSummary, type User } from '../../../domain/identity/user.ts';
import { accountStatus, moneyString, timestamp, uuid } from '../schemas.ts';

/** The /api/auth answers; each schema is what the OpenAPI document says. */
export const AccountSummarySchema = z
  .strictObject({ id: uuid, balance: moneyString, currency: z.string(), account_status: accountStatus })
  .meta({ id: 'AccountSummary', examples: [{ id: '5d3c1e0a-2b4f-4e6a-8c9d-0e1f2a3b4c5d', balance: '0.00', currency: 'IDR', account_status: 'ACTIVE' }] });

const userFields = {
  id: z.number().int(),
  username: z.string(),
  email: z.string(),
  phone: z.string().describe('E.164, +628…'),
  created_at: timestamp,
};
const USER_EXAMPLE = { id: 42, username: 'siti.rahma', email: 'siti@example.com', phone: '+6281234567890', created_at: '2026-11-02T03:04:05.000Z' };

export const RegisteredUserSchema = z.strictObject({ ...userFields, account: AccountSummarySchema }).meta({
  id: 'RegisteredUser',
  examples: [{ ...USER_EXAMPLE, account: { id: '5d3c1e0a-2b4f-4e6a-8c9d-0e1f2a3b4c5d', balance: '0.00', currency: 'IDR', account_status: 'ACTIVE' } }],
});

export const ProfileSchema = z.strictObject({ ...userFields, role: z.enum(ROLES), updated_at: timestamp, account: AccountSummarySchema.nullable() }).meta({
  id: 'Profile',
  examples: [
    {
      ...USER_EXAMPLE,
      role: 'USER',
      updated_at: '2026-11-02T03:04:05.000Z',
      account: { id: '5d3c1e0a-2b4f-4e6a-8c9d-0e1f2a3b4c5d', balance: '150000.00', currency: 'IDR', account_status: 'ACTIVE' },
    },
  ],
});

export const TokensSchema = z
  .strictObject({
    access_token: z.string().describe('ES256 JWT; send as Authorization: Bearer (or rely on the auth-token cookie)'),
    refresh_token: z.string().describe('opaque; rotated at every refresh, a reused one revokes the session'),
    token_type: z.literal('Bearer'),
    expires_in: z.number().int().describe('seconds until the access token expires'),
    refresh_expires_in: z.number().int().describe('seconds until the refresh token expires'),
  })
  .meta({
    id: 'Tokens',
    examples: [
      {
        access_token: 'eyJhbGciOiJFUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiI0MiIsInVzZXJuYW1lIjoic2l0aS5yYWhtYSJ9.c2lnbmF0dXJl',
        refresh_token: 'rt_4e9f1c2b8a7d6e5f4c3b2a1908f7e6d5',
        token_type: 'Bearer',
        expires_in: 900,
        refresh_expires_in: 604800,
      },
    ],
  });

/** RFC 7517: a bare document, not the envelope. */
export const JwksSchema = z
  .strictObject({ keys: z.array(z.looseObject({ kty: z.string(), kid: z.string(), alg: z.string().optional(), use: z.string().optional() })) })
  .meta({
    id: 'JsonWebKeySet',
    examples: [
      {
        keys: [
          {
            kty: 'EC',
            crv: 'P-256',
            x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
            y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
            kid: 'k1',
            alg: 'ES256',
            use: 'sig',
          },
        ],
      },
    ],
  });

export const accountJson = (a: AccountSummary): z.output<typeof AccountSummarySchema> => ({
  id: a.id,
  balance: a.balance.toString(),
  currency: a.currency,
  account_status: a.accountStatus,
});
export const userJson = (u: User) => ({ id: u.id, username: u.username, email: u.email, phone: u.phone, created_at: u.createdAt.toISOString() });
export const tokensJson = (s: Session): z.output<typeof TokensSchema> => ({
  access_token: s.accessToken,
  refresh_token: s.refreshToken,
  token_type: 'Bearer',
  expires_in: s.expiresIn,
  refresh_expires_in: s.refreshExpiresIn,
});
