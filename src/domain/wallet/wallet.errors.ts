import { DomainError } from '../shared/domain-error.ts';
import { MoneyErrors } from '../shared/money.errors.ts';

/** The wallet's refusals, with stable codes. */
export const WalletErrors = {
  accountNotFound: () => new DomainError('ACCOUNT_NOT_FOUND', 'not_found', 'account not found'),
  accountNotActive: (status: string) => new DomainError('ACCOUNT_NOT_ACTIVE', 'forbidden', `account is ${status.toLowerCase()}`),
  recipientNotFound: () => new DomainError('RECIPIENT_NOT_FOUND', 'not_found', 'recipient not found'),
  recipientNotActive: () => new DomainError('RECIPIENT_NOT_ACTIVE', 'business_rule', 'recipient account cannot receive money'),
  selfTransfer: () =>
    new DomainError('SELF_TRANSFER', 'invalid', 'cannot transfer to your own account', {
      errors: [{ field: 'recipient', message: 'cannot transfer to yourself' }],
    }),
  /** The same refusal as Money's own subtraction below zero: one code, one constructor. */
  insufficientFunds: MoneyErrors.insufficientFunds,
  statusChangeNotAllowed: (from: string, to: string) =>
    new DomainError('ACCOUNT_STATUS_CHANGE_NOT_ALLOWED', 'conflict', `account cannot go from ${from} to ${to}`),
  balanceNotZero: () => new DomainError('ACCOUNT_BALANCE_NOT_ZERO', 'business_rule', 'an account with a balance or a pending top-up cannot be closed'),
  /** The reason of the freeze is never given: it is for operators (it could tip off the holder or tell the other party too much). */
  accountFrozen: (level: string, side: 'payer' | 'payee', owner: 'customer' | 'merchant') =>
    new DomainError(
      'ACCOUNT_FROZEN',
      'forbidden',
      `${owner === 'merchant' ? "the merchant's account" : side === 'payer' ? 'account' : "the recipient's account"} is frozen (${level}): it cannot ${side === 'payer' ? 'send' : 'receive'} money`,
      { facts: { rule: 'freeze', level, side, owner } },
    ),
  invalidFreeze: (field: string, message: string) => new DomainError('INVALID_FREEZE', 'invalid', message, { errors: [{ field, message }] }),
  notFrozen: () => new DomainError('ACCOUNT_NOT_FROZEN', 'conflict', 'account is not frozen'),
  systemAccount: () => new DomainError('SYSTEM_ACCOUNT', 'forbidden', 'system accounts cannot be changed this way'),
  tooManyRecipientLookups: (message: string, details?: DomainError['details']) =>
    new DomainError('TOO_MANY_RECIPIENT_LOOKUPS', 'rate_limited', message, details),
};

export const KycErrors = {
  invalidIdentity: (field: string, message: string) => new DomainError('INVALID_IDENTITY', 'invalid', message, { errors: [{ field, message }] }),
  alreadyRegistered: () => new DomainError('ACCOUNT_ALREADY_REGISTERED', 'conflict', 'account is already REGISTERED'),
};
