import { z } from 'zod';
import { PAYMENT_METHODS, TRANSACTION_STATUSES, TRANSACTION_TYPES } from '../../domain/ledger/transaction.ts';
import { ACCOUNT_STATUSES } from '../../domain/wallet/account.ts';

/*
 * The building blocks of the response DTOs' zod schemas (each DTO file declares its own schema
 * from these, types its builder with it, and the OpenAPI document is generated from it).
 */

/** An amount in rupiah as the API writes it: a decimal string with two decimals. */
export const moneyString = z
  .string()
  .regex(/^-?\d+\.\d{2}$/)
  .meta({ description: 'IDR amount, a decimal string with 2 decimals', examples: ['10000.00'] });
export const timestamp = z.string().meta({ format: 'date-time', description: 'ISO-8601 UTC instant', examples: ['2026-12-01T08:15:30.123Z'] });
export const uuid = z.string().meta({ format: 'uuid', examples: ['0b7d3f5c-6a55-4a43-9c4e-2f0f8f7a9d10'] });
export const currency = z.literal('IDR');
export const transactionType = z.enum(TRANSACTION_TYPES);
export const transactionStatus = z.enum(TRANSACTION_STATUSES);
export const paymentMethod = z.enum(PAYMENT_METHODS);
export const accountStatus = z.enum(ACCOUNT_STATUSES);
