import type { EWalletMethod, EWalletProvider, EWalletWebhookVerifier } from '../../../domain/ewallet/ewallet-provider.ts';
import { EWalletErrors } from '../../../domain/ewallet/ewallet.errors.ts';

/** The e-wallet providers the payment service talks to, by payment method. */
export type EWalletProviders = Record<EWalletMethod, EWalletProvider>;
export type EWalletWebhookVerifiers = Record<EWalletMethod, EWalletWebhookVerifier>;

export function providerFor(providers: EWalletProviders, method: string): EWalletProvider {
  const p = providers[method as EWalletMethod];
  if (!p) throw EWalletErrors.unsupportedPaymentMethod(`unsupported payment method ${method}`);
  return p;
}
