import { DomainError } from './domain-error.ts';

/** Money's refusals: amounts that are not a decimal(15,2) of IDR, and a subtraction below zero. */
export const MoneyErrors = {
  invalidAmount: (message: string, details?: DomainError['details']) => new DomainError('INVALID_AMOUNT', 'invalid', message, details),
  negativeAmount: () => new DomainError('NEGATIVE_AMOUNT', 'invalid', 'amount cannot be negative'),
  amountTooLarge: () => new DomainError('AMOUNT_TOO_LARGE', 'invalid', 'amount exceeds decimal(15,2)'),
  insufficientFunds: () => new DomainError('INSUFFICIENT_FUNDS', 'business_rule', 'insufficient balance'),
};
