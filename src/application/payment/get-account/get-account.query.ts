import type { Money } from '../../../domain/shared/money.ts';
import type { Account } from '../../../domain/wallet/account.ts';
import type { AccountRepository } from '../../../domain/wallet/account.repository.ts';
import { WalletErrors } from '../../../domain/wallet/wallet.errors.ts';
import type { BalanceCache } from '../shared/balance-cache.ts';
import type { LedgerRepository } from '../../../domain/ledger/ledger.repository.ts';
import { remaining, type KycLimits, type TierLimits } from '../../../domain/ledger/limits.ts';
import type { KycTier } from '../../../domain/wallet/kyc.ts';

/** An account's KYC tier, its limits and what remains under them now. */
export interface LimitsView {
  tier: KycTier;
  limits: TierLimits;
  remaining: { balance: bigint; monthlyIncoming: bigint };
}

/** The caller's own account, and its balance through the cache. */
export class GetAccountQuery {
  private readonly accounts: AccountRepository;
  private readonly cache: BalanceCache;

  private readonly kyc: { ledger: LedgerRepository; limits: KycLimits } | undefined;

  constructor(accounts: AccountRepository, cache: BalanceCache, kyc?: { ledger: LedgerRepository; limits: KycLimits }) {
    this.accounts = accounts;
    this.cache = cache;
    this.kyc = kyc;
  }

  /** The tier's limits and what remains (null when no limits are configured). */
  async limits(account: Account): Promise<LimitsView | null> {
    if (!this.kyc) return null;
    const tier = account.kycTier ?? 'UNREGISTERED';
    const state = await this.kyc.ledger.limitState(account.id);
    return { tier, limits: this.kyc.limits[tier], remaining: remaining(tier, this.kyc.limits, account.balance.minor, state) };
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
