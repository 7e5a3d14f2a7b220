import { type GoPaySandbox, type GoPayCredentials, startGoPaySandbox } from './gopay-sandbox.ts';
import { type ShopeePayCredentials, type ShopeePaySandbox, startShopeePaySandbox } from './shopeepay-sandbox.ts';
import type { WalletSeed } from './sandbox-wallets.ts';

export type { SandboxBehaviour, SandboxOperation, SandboxTopUp, SandboxWallet, WalletSeed } from './sandbox-wallets.ts';
export { DEFAULT_ACCEPTANCE_WINDOW_MS, DEFAULT_WALLET_SEEDS, SandboxWallets, canonicalPhone } from './sandbox-wallets.ts';
export type { GoPaySandbox, GoPayCredentials, ShopeePaySandbox, ShopeePayCredentials };

export interface SandboxesOptions {
  /**
   * Our webhook base, e.g. http://127.0.0.1:8080/api/payment/webhooks: GoPay notifies `<base>/gopay`,
   * ShopeePay `<base>/shopeepay`. Optional here and settable later with setWebhookBaseUrl (a server
   * on PORT=0 only knows its URL once it listens). No base: no notifications.
   */
  webhookBaseUrl?: string;
  /** Wallets present at start (default DEFAULT_WALLET_SEEDS); more with control.registerWallet. */
  seeds?: WalletSeed[];
  /** Fixed credentials; by default random ones are generated per start (nothing secret in the repo). */
  gopayCredentials?: Partial<GoPayCredentials>;
  shopeepayCredentials?: Partial<ShopeePayCredentials>;
  host?: string;
}

export interface Sandboxes {
  gopay: GoPaySandbox;
  shopeepay: ShopeePaySandbox;
  setWebhookBaseUrl(url: string | undefined): void;
  stop(): Promise<void>;
}

/** Starts both provider simulators in-process, on free loopback ports. */
export async function startSandboxes(opts: SandboxesOptions = {}): Promise<Sandboxes> {
  let base = opts.webhookBaseUrl?.replace(/\/+$/, '');
  const gopay = await startGoPaySandbox({ webhookUrl: () => base && `${base}/gopay`, credentials: opts.gopayCredentials, seeds: opts.seeds, host: opts.host });
  const shopeepay = await startShopeePaySandbox({
    webhookUrl: () => base && `${base}/shopeepay`,
    credentials: opts.shopeepayCredentials,
    seeds: opts.seeds,
    host: opts.host,
  }).catch(async (err: unknown) => {
    await gopay.stop();
    throw err;
  });
  return {
    gopay,
    shopeepay,
    setWebhookBaseUrl: (url) => {
      base = url?.replace(/\/+$/, '');
    },
    stop: async () => {
      await Promise.all([gopay.stop(), shopeepay.stop()]);
    },
  };
}
