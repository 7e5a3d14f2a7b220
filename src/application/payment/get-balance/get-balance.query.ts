import type { Money } from '../../../domain/shared/money.ts';
import type { AccountRepository } from '../../../domain/wallet/account.repository.ts';
import { WalletErrors } from '../../../domain/wallet/wallet.errors.ts';
import type { BalanceCache } from '../shared/balance-cache.ts';

/** The caller's balance through the cache (invalidated by every commit that moves it). */
export class GetBalanceQuery {
  private readonly accounts: AccountRepository;
  private readonly cache: BalanceCache;

  constructor(accounts: AccountRepository, cache: BalanceCache) {
    this.accounts = accounts;
    this.cache = cache;
  }

  async execute(userId: number): Promise<{ balance: Money; currency: string }> {
    const b = await this.cache.get(userId, async () => {
      const a = await this.accounts.findByUserId(userId);
      return a ? { balance: a.balance, currency: a.currency } : null;
    });
    if (!b) throw WalletErrors.accountNotFound();
    return b;
  }
}
