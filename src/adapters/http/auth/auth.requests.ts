import { z } from 'zod';
import { PASSWORD_MAX, PASSWORD_MIN, USERNAME_RULE } from '../../../domain/identity/credentials.ts';
import { PHONE_FORMS, parseIndonesianMobile } from '../../../domain/shared/phone.ts';

// Non-strict objects: unknown fields (role, balance, …) are dropped, never bound.
export const RegisterRequest = z.object({
  // The username's rules live in the domain (parseRegistration), which also answers a phone- or
  // email-like name with its own code (USERNAME_LOOKS_LIKE_PHONE_OR_EMAIL).
  username: z.string().trim().min(1).max(255).describe(`${USERNAME_RULE}; never a phone number or an email address`),
  email: z.email('must be a valid email address').max(255),
  phone: z
    .string()
    .max(32)
    .refine((v) => parseIndonesianMobile(v.trim()) !== null, `must be ${PHONE_FORMS}`)
    .describe(`${PHONE_FORMS}; stored as +628…`),
  password: z.string().min(PASSWORD_MIN).max(PASSWORD_MAX),
});

export const LoginRequest = z.object({
  username: z.string().min(1).max(255).describe('username, email or phone number'),
  password: z.string().min(1).max(PASSWORD_MAX),
});

export const RefreshRequest = z.object({
  refresh_token: z.string().min(1).max(512).optional().describe('or the refresh-token cookie'),
});

export const LogoutRequest = z.object({
  refresh_token: z.string().min(1).max(512).optional().describe('optional; the refresh-token cookie also works'),
});
