import { z } from 'zod';
import { Money } from '../../../domain/shared/money.ts';
import { PHONE_FORMS, parseIndonesianMobile } from '../../../domain/shared/phone.ts';
import { PAYMENT_METHODS } from '../../../domain/ledger/transaction.ts';
import { jsonNumber } from '../json-number.ts';

/**
 * A request amount: a JSON number or a decimal string, at most two decimals, above zero; parsed
 * straight to minor units from the text the client sent (a number's source text, kept by the body
 * parser), so `10000.0000000000000001` is refused instead of being read as the float 10000.
 */
export const amountField = z
  .union([z.string(), jsonNumber])
  .describe('IDR amount, a number or a decimal string with at most 2 decimals, e.g. "10000.00"')
  .transform((v, ctx): Money => {
    try {
      const m = Money.fromInput(typeof v === 'string' ? v : v.rawJSON);
      if (!m.isZero()) return m;
      ctx.addIssue({ code: 'custom', message: 'amount must be greater than zero' });
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
    }
    return z.NEVER;
  });

const description = z.string().trim().max(255).nullish();

export const phoneField = z
  .string()
  .describe(PHONE_FORMS)
  .transform((v, ctx) => {
    const p = parseIndonesianMobile(v.trim());
    if (p) return p;
    ctx.addIssue({ code: 'custom', message: `must be ${PHONE_FORMS}` });
    return z.NEVER;
  });

export const TopUpRequest = z.object({
  amount: amountField,
  payment_method: z.enum(PAYMENT_METHODS),
  phone_number: phoneField,
  description,
});

export const PaymentRequest = z.object({
  amount: amountField,
  merchant_id: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only'),
  description,
});

export const TransferRequest = z.object({
  recipient: z.string().trim().min(1).max(255).describe(`username, account id, or ${PHONE_FORMS}; a phone-like value is only ever a phone`),
  amount: amountField,
  description,
});

export const RecipientLookupRequest = z.object({
  identifier: z.string().trim().min(1).max(255).describe("what the transfer's recipient would be: username, phone number or account id"),
});

export const RefundRequest = z.object({
  transaction_id: z.string().trim().min(1).max(50).describe('the PAYMENT to refund'),
  amount: amountField.optional().describe('omit to refund everything not yet refunded'),
  reason: z.string().trim().max(255).nullish(),
});

export const WalletQuery = z.object({ ewallet: z.enum(PAYMENT_METHODS) });
export const MerchantParams = z.object({
  code: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only'),
});
export const TransactionParams = z.object({ transaction_id: z.string().min(1).max(100) });
