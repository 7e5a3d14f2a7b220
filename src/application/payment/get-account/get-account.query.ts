import type { Money } from '../../../domain/shared/money.ts';
import type { Account } from '../../../domain/wallet/account.ts';
import type { AccountRepository } from '../../../domain/wallet/account.repository.ts';
import { WalletErrors } from '../../../domain/wallet/wallet.errors.ts';
import type { BalanceCache } from '../shared/balance-cache.ts';

/** The caller's own account, and its balance through the cache. */
export class GetAccountQuery {
  private readonly accounts: AccountRepository;
  private readonly cache: BalanceCache;

  constructor(accounts: AccountRepository, cache: BalanceCache) {
    this.accounts = accounts;
    this.cache = cache;
  }

  async account(userId: number): Promise<Account> {
    const a = await this.accounts.findByUserId(userId);
    if (!a) throw WalletErrors.accountNotFound();
    return a;
  }

  async balance(userId: number): Promise<{ balance: Money; currency: string }> {
    const b = await this.cache.get(userId, async () => {
      const a = await this.accounts.findByUserId(userId);
      return a ? { balance: a.balance, currency: a.currency } : null;
    });
    if (!b) throw WalletErrors.accountNotFound();
    return b;
  }
}
