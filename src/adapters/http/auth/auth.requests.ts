import { z } from 'zod';
import { PASSWORD_MAX, PASSWORD_MIN, USERNAME_RULE, usernameProblem } from '../../../domain/identity/credentials.ts';
import { PHONE_FORMS, parseIndonesianMobile } from '../../../domain/shared/phone.ts';

// Non-strict objects: unknown fields (role, balance, …) are dropped, never bound.
const RegisterFields = z.object({
  username: z
    .string()
    .trim()
    .min(1)
    .max(255)
    .refine((v) => usernameProblem(v)?.lookAlike !== false, `must be ${USERNAME_RULE}`)
    .describe(`${USERNAME_RULE}; never a phone number or an email address (400 USERNAME_LOOKS_LIKE_PHONE_OR_EMAIL)`),
  email: z.email('must be a valid email address').max(255),
  phone: z
    .string()
    .max(32)
    .refine((v) => parseIndonesianMobile(v.trim()) !== null, `must be ${PHONE_FORMS}`)
    .describe(`${PHONE_FORMS}; stored as +628…`),
  password: z.string().min(PASSWORD_MIN).max(PASSWORD_MAX),
});

// A username that looks like a phone or an email gets its own code from the domain
// (parseRegistration) when it is the only problem; alongside others, it is listed with them.
export const RegisterRequest = RegisterFields.check((ctx) => {
  const problem = typeof ctx.value.username === 'string' ? usernameProblem(ctx.value.username) : null;
  if (problem?.lookAlike && ctx.issues.length) ctx.issues.push({ code: 'custom', path: ['username'], message: problem.message, input: ctx.value.username });
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
