import type { Money } from '../../../domain/shared/money.ts';
import type { AccountRepository } from '../../../domain/wallet/account.repository.ts';
import { WalletErrors } from '../../../domain/wallet/wallet.errors.ts';
import type { BalanceCache } from '../shared/balance-cache.ts';

/** The caller's balance through the cache (invalidated by every commit that moves it); the account is read only on a miss. */
export class GetBalanceQuery {
  private readonly deps: { accounts: AccountRepository; cache: BalanceCache };

  constructor(deps: { accounts: AccountRepository; cache: BalanceCache }) {
    this.deps = deps;
  }

  async execute(userId: number): Promise<{ balance: Money; currency: string }> {
    const b = await this.deps.cache.get(userId, async () => {
      const a = await this.deps.accounts.findByUserId(userId);
      return a ? { balance: a.balance, currency: a.currency } : null;
    });
    if (!b) throw WalletErrors.accountNotFound();
    return b;
  }
}
