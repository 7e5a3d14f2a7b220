import type { Logger } from 'pino';
import type { EWalletMethod, EWalletProvider, EWalletWebhookVerifier } from '../../domain/ewallet/ewallet-provider.ts';
import { GoPayEWalletProvider } from './gopay/gopay-ewallet-provider.ts';
import { GoPayWebhookVerifier } from './gopay/gopay-webhook-verifier.ts';
import type { ProviderCallOptions } from './provider-http.ts';
import type { Sandboxes } from './sandbox/index.ts';
import { ShopeePayEWalletProvider } from './shopeepay/shopeepay-ewallet-provider.ts';
import { ShopeePayWebhookVerifier } from './shopeepay/shopeepay-webhook-verifier.ts';

export { describeSandboxes, paymentEnvFor, startSandboxes } from './sandbox/index.ts';
export type { Sandboxes, SandboxesOptions } from './sandbox/index.ts';

export interface EWalletAdapters {
  providers: Record<EWalletMethod, EWalletProvider>;
  /** Verify the notifications at /api/payment/webhooks/gopay and /shopeepay. */
  verifiers: Record<EWalletMethod, EWalletWebhookVerifier>;
}

/** The configuration slice of the e-wallet adapters (the composition root passes its config). */
export interface EWalletConfig {
  NODE_ENV: string;
  EWALLET_TIMEOUT_MS: number;
  EWALLET_RETRIES: number;
  EWALLET_BACKOFF_MS: number;
  EWALLET_CIRCUIT_THRESHOLD: number;
  EWALLET_CIRCUIT_OPEN_MS: number;
  GOPAY_BASE_URL?: string | undefined;
  GOPAY_CLIENT_ID?: string | undefined;
  GOPAY_CLIENT_SECRET?: string | undefined;
  GOPAY_PARTNER_ID?: string | undefined;
  GOPAY_WEBHOOK_SECRET?: string | undefined;
  SHOPEEPAY_BASE_URL?: string | undefined;
  SHOPEEPAY_MERCHANT_ID?: string | undefined;
  SHOPEEPAY_SECRET?: string | undefined;
  SHOPEEPAY_WEBHOOK_SECRET?: string | undefined;
}

/** True when a provider has no GOPAY_BASE_URL / SHOPEEPAY_BASE_URL: start the sandboxes and pass them in. */
export function needsSandboxes(config: EWalletConfig): boolean {
  return !config.GOPAY_BASE_URL || !config.SHOPEEPAY_BASE_URL;
}

export function callOptionsFrom(
  config: Pick<EWalletConfig, 'EWALLET_TIMEOUT_MS' | 'EWALLET_RETRIES' | 'EWALLET_BACKOFF_MS' | 'EWALLET_CIRCUIT_THRESHOLD' | 'EWALLET_CIRCUIT_OPEN_MS'>,
): ProviderCallOptions {
  return {
    timeoutMs: config.EWALLET_TIMEOUT_MS,
    retries: config.EWALLET_RETRIES,
    backoffMs: config.EWALLET_BACKOFF_MS,
    circuitFailureThreshold: config.EWALLET_CIRCUIT_THRESHOLD,
    circuitOpenMs: config.EWALLET_CIRCUIT_OPEN_MS,
  };
}

/**
 * The real HTTP adapters, built from the configuration. A provider without a base URL talks to
 * its sandbox instead, with the sandbox's generated credentials: the caller starts them with
 * `startSandboxes({ webhookBaseUrl })` (after listening: `sandboxes.setWebhookBaseUrl(url)`) and
 * stops them on shutdown. Production refuses the sandboxes: they would fake real top-ups.
 */
export function createEWalletProviders(config: EWalletConfig, logger: Logger, sandboxes?: Sandboxes): EWalletAdapters {
  if (needsSandboxes(config)) {
    if (config.NODE_ENV === 'production') throw new Error('GOPAY_BASE_URL and SHOPEEPAY_BASE_URL are required in production (the sandboxes fake top-ups)');
    if (!sandboxes) throw new Error('an e-wallet provider has no base URL: start the sandboxes and pass them to createEWalletProviders');
  }
  const call = callOptionsFrom(config);
  const log = logger.child({ component: 'ewallet' });

  const gopay = config.GOPAY_BASE_URL
    ? {
        baseUrl: config.GOPAY_BASE_URL,
        clientId: config.GOPAY_CLIENT_ID!,
        clientSecret: config.GOPAY_CLIENT_SECRET!,
        partnerId: config.GOPAY_PARTNER_ID!,
        webhookSecret: config.GOPAY_WEBHOOK_SECRET ?? config.GOPAY_CLIENT_SECRET!,
      }
    : { baseUrl: sandboxes!.gopay.url, ...sandboxes!.gopay.credentials };
  const shopeepay = config.SHOPEEPAY_BASE_URL
    ? {
        baseUrl: config.SHOPEEPAY_BASE_URL,
        merchantId: config.SHOPEEPAY_MERCHANT_ID!,
        secret: config.SHOPEEPAY_SECRET!,
        webhookSecret: config.SHOPEEPAY_WEBHOOK_SECRET ?? config.SHOPEEPAY_SECRET!,
      }
    : { baseUrl: sandboxes!.shopeepay.url, ...sandboxes!.shopeepay.credentials };

  return {
    providers: {
      GOPAY: new GoPayEWalletProvider({ ...gopay, call }, log),
      SHOPEE_PAY: new ShopeePayEWalletProvider({ ...shopeepay, call }, log),
    },
    verifiers: {
      GOPAY: new GoPayWebhookVerifier(gopay.webhookSecret),
      SHOPEE_PAY: new ShopeePayWebhookVerifier(shopeepay.webhookSecret),
    },
  };
}
