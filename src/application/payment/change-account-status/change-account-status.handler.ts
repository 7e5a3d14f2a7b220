import { assertStatusChange, type Account, type AccountStatus } from '../../../domain/wallet/account.ts';
import type { AccountRepository } from '../../../domain/wallet/account.repository.ts';
import { WalletErrors } from '../../../domain/wallet/wallet.errors.ts';

/**
 * Suspend, reactivate or close a customer account. Closing needs a zero balance and no pending
 * top-up (whose failure would have to release money into it).
 */
export class ChangeAccountStatusHandler {
  private readonly accounts: AccountRepository;

  constructor(accounts: AccountRepository) {
    this.accounts = accounts;
  }

  async execute(accountId: string, to: AccountStatus): Promise<{ before: Account; after: Account }> {
    return this.accounts.changeStatus(accountId, to, (locked, pendingTopUps) => {
      assertStatusChange(locked.status, to);
      if (to === 'CLOSED' && (!locked.balance.isZero() || pendingTopUps > 0)) throw WalletErrors.balanceNotZero();
    });
  }
}
