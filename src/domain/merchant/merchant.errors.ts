import { DomainError } from '../shared/domain-error.ts';

/** The merchants' refusals, with stable codes. */
export const MerchantErrors = {
  notFound: () => new DomainError('MERCHANT_NOT_FOUND', 'not_found', 'merchant not found'),
  notActive: (status: string) => new DomainError('MERCHANT_NOT_ACTIVE', 'forbidden', `merchant is ${status.toLowerCase()}`),
  insufficientFunds: () => new DomainError('MERCHANT_INSUFFICIENT_FUNDS', 'business_rule', "the merchant's balance does not cover this"),
  codeTaken: (code: string) => new DomainError('MERCHANT_CODE_TAKEN', 'conflict', `merchant code ${code} is already used`),
  invalid: (field: string, message: string) => new DomainError('INVALID_MERCHANT', 'invalid', `${field}: ${message}`, { errors: [{ field, message }] }),
  statusChangeNotAllowed: (from: string, to: string) =>
    new DomainError('MERCHANT_STATUS_CHANGE_NOT_ALLOWED', 'conflict', `merchant cannot go from ${from} to ${to}`),
  notFrozen: () => new DomainError('MERCHANT_NOT_FROZEN', 'conflict', 'merchant is not frozen'),
  balanceNotZero: () => new DomainError('MERCHANT_BALANCE_NOT_ZERO', 'business_rule', 'a merchant with a balance cannot be closed: pay it out first'),
  invalidFeeTable: (message: string) => new DomainError('INVALID_FEE_TABLE', 'invalid', message),
};
