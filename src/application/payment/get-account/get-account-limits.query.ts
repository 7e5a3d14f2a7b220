import type { Account } from '../../../domain/wallet/account.ts';
import type { LedgerRepository } from '../../../domain/ledger/ledger.repository.ts';
import { remaining, type KycLimits, type TierLimits } from '../../../domain/ledger/limits.ts';
import type { KycTier } from '../../../domain/wallet/kyc.ts';

/** An account's KYC tier, its limits and what remains under them now. */
export interface LimitsView {
  tier: KycTier;
  limits: TierLimits;
  remaining: { balance: bigint; monthlyIncoming: bigint };
}

/** An account's tier, its limits and what remains under them (null when no limits are configured). */
export class GetAccountLimitsQuery {
  private readonly kyc: { ledger: LedgerRepository; limits: KycLimits } | undefined;

  constructor(kyc?: { ledger: LedgerRepository; limits: KycLimits }) {
    this.kyc = kyc;
  }

  async execute(account: Account): Promise<LimitsView | null> {
    if (!this.kyc) return null;
    const tier = account.kycTier ?? 'UNREGISTERED';
    const state = await this.kyc.ledger.limitState(account.id);
    return { tier, limits: this.kyc.limits[tier], remaining: remaining(tier, this.kyc.limits, account.balance.minor, state) };
  }
}
