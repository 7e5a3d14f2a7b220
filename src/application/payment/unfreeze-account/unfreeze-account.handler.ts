import type { Account } from '../../../domain/wallet/account.ts';
import type { AccountRepository } from '../../../domain/wallet/account.repository.ts';
import { WalletErrors } from '../../../domain/wallet/wallet.errors.ts';

/** An operator lifts a customer account's freeze; system accounts and accounts not frozen are refused. */
export class UnfreezeAccountHandler {
  private readonly accounts: AccountRepository;

  constructor(accounts: AccountRepository) {
    this.accounts = accounts;
  }

  execute(accountId: string): Promise<{ before: Account; after: Account }> {
    return this.accounts.setFreeze(accountId, null, (locked) => {
      if (locked.systemCode || locked.userId === null) throw WalletErrors.systemAccount();
      if (!locked.freeze) throw WalletErrors.notFrozen();
    });
  }
}
