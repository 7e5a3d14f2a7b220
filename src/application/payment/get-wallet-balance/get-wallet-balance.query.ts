import type { EWalletBalance, EWalletMethod } from '../../../domain/ewallet/ewallet-provider.ts';
import type { AccountRepository } from '../../../domain/wallet/account.repository.ts';
import { WalletErrors } from '../../../domain/wallet/wallet.errors.ts';
import { providerFor, type EWalletProviders } from '../shared/ewallet-providers.ts';

/** The e-wallet registered to the caller's phone, as its provider reports it. */
export class GetWalletBalanceQuery {
  private readonly accounts: AccountRepository;
  private readonly providers: EWalletProviders;

  constructor(accounts: AccountRepository, providers: EWalletProviders) {
    this.accounts = accounts;
    this.providers = providers;
  }

  async execute(userId: number, method: EWalletMethod): Promise<EWalletBalance & { provider: EWalletMethod }> {
    const phone = await this.accounts.phoneOf(userId);
    if (!phone) throw WalletErrors.accountNotFound();
    const b = await providerFor(this.providers, method).balanceInquiry(phone);
    return { ...b, provider: method };
  }
}
