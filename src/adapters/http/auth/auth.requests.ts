import { z } from 'zod';
import { PASSWORD_MAX, PASSWORD_MIN, USERNAME_PATTERN, normaliseIndonesianPhone } from '../../../domain/identity/credentials.ts';

// Non-strict objects: unknown fields (role, balance, …) are dropped, never bound.
export const RegisterRequest = z.object({
  username: z.string().trim().regex(USERNAME_PATTERN, 'must be 3–50 characters of letters, digits, _ and .'),
  email: z.email('must be a valid email address').max(255),
  phone: z
    .string()
    .max(32)
    .refine((v) => normaliseIndonesianPhone(v) !== null, 'must be an Indonesian mobile number (08…, 628… or +628…)')
    .describe('Indonesian mobile number: 08…, 628… or +628…; stored as +628…'),
  password: z.string().min(PASSWORD_MIN).max(PASSWORD_MAX),
});

export const LoginRequest = z.object({
  username: z.string().min(1).max(255).describe('username, email or phone number'),
  password: z.string().min(1).max(PASSWORD_MAX),
});

export const RefreshRequest = z.object({
  refresh_token: z.string().min(1).max(1024).optional().describe('or the refresh-token cookie'),
});

export const LogoutRequest = z.object({
  refresh_token: z.string().min(1).max(1024).optional().describe('optional; the refresh-token cookie also works'),
});
