import type { Account } from '../../../domain/wallet/account.ts';
import type { AccountRepository } from '../../../domain/wallet/account.repository.ts';
import { WalletErrors } from '../../../domain/wallet/wallet.errors.ts';

/** The caller's own account. */
export class GetAccountQuery {
  private readonly accounts: AccountRepository;

  constructor(accounts: AccountRepository) {
    this.accounts = accounts;
  }

  async execute(userId: number): Promise<Account> {
    const a = await this.accounts.findByUserId(userId);
    if (!a) throw WalletErrors.accountNotFound();
    return a;
  }
}
