import { Money } from '../../../domain/shared/money.ts';
import { MoneyErrors } from '../../../domain/shared/money.errors.ts';
import { LedgerErrors } from '../../../domain/ledger/ledger.errors.ts';

export const TOPUP_MIN = Money.parse('10000.00');

export function assertPositive(amount: Money): void {
  if (amount.isZero())
    throw MoneyErrors.invalidAmount('amount must be greater than zero', { errors: [{ field: 'amount', message: 'must be greater than zero' }] });
}

export function assertTopUpLimits(amount: Money, max: Money): void {
  if (!amount.gte(TOPUP_MIN)) {
    throw LedgerErrors.amountBelowMinimum(`the smallest top-up is ${TOPUP_MIN.toString()}`, {
      errors: [{ field: 'amount', message: `must be at least ${TOPUP_MIN.toString()}` }],
    });
  }
  if (amount.compare(max) > 0) {
    throw LedgerErrors.amountAboveMaximum(`the largest top-up is ${max.toString()}`, {
      errors: [{ field: 'amount', message: `must be at most ${max.toString()}` }],
    });
  }
}
