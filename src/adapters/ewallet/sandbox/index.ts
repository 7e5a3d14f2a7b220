import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SandboxJournal } from './sandbox-journal.ts';
import { type GoPaySandbox, type GoPayCredentials, startGoPaySandbox } from './gopay-sandbox.ts';
import { type ShopeePayCredentials, type ShopeePaySandbox, startShopeePaySandbox } from './shopeepay-sandbox.ts';
import { NO_EWALLET_PREFIX, type WalletSeed } from './sandbox-wallets.ts';

export type { SandboxBehaviour, SandboxOperation, SandboxTopUp, SandboxWallet, WalletSeed } from './sandbox-wallets.ts';
export {
  DEFAULT_ACCEPTANCE_WINDOW_MS,
  DEFAULT_WALLET_SEEDS,
  NO_EWALLET_PREFIX,
  SandboxWallets,
  canonicalPhone,
  hasNoEWallet,
  isMobileNumber,
} from './sandbox-wallets.ts';
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
  /**
   * Keep wallets and top-ups in `<dir>/gopay.jsonl` and `<dir>/shopeepay.jsonl` across restarts, and
   * the credentials (generated once when not given) in `<dir>/credentials.json` (mode 0600).
   */
  stateDir?: string;
  /** Fixed ports (default 0: a free one each start). */
  gopayPort?: number;
  shopeepayPort?: number;
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
  const dir = opts.stateDir;
  const creds = dir ? persistedCredentials(dir, opts) : { gopay: opts.gopayCredentials, shopeepay: opts.shopeepayCredentials };
  const gopay = await startGoPaySandbox({
    webhookUrl: () => base && `${base}/gopay`,
    credentials: creds.gopay,
    seeds: opts.seeds,
    host: opts.host,
    port: opts.gopayPort,
    journal: dir ? new SandboxJournal(join(dir, 'gopay.jsonl')) : undefined,
  });
  const shopeepay = await startShopeePaySandbox({
    webhookUrl: () => base && `${base}/shopeepay`,
    journal: dir ? new SandboxJournal(join(dir, 'shopeepay.jsonl')) : undefined,
    credentials: creds.shopeepay,
    seeds: opts.seeds,
    host: opts.host,
    port: opts.shopeepayPort,
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

/** What `npm start` prints about the sandboxes: their base URLs, control endpoints and the no-wallet range. */
export function describeSandboxes(sb: Pick<Sandboxes, 'gopay' | 'shopeepay'>): string[] {
  return [
    `  e-wallet sandboxes (every mobile number has a wallet, opened with 0.00; ${NO_EWALLET_PREFIX}… never has one)`,
    `    GoPay      ${sb.gopay.url}      control ${sb.gopay.url}/sandbox/wallets/{phone}  /sandbox/behaviours  /sandbox/settle  /sandbox/topups/{ref}`,
    `    ShopeePay  ${sb.shopeepay.url}      control ${sb.shopeepay.url}/sandbox/wallets/{phone}  /sandbox/behaviours  /sandbox/settle  /sandbox/topups/{ref}`,
  ];
}

/** Credentials given win; the others are generated once and kept in `<dir>/credentials.json` (0600), so a restart keeps them. */
function persistedCredentials(dir: string, opts: SandboxesOptions): { gopay: GoPayCredentials; shopeepay: ShopeePayCredentials } {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'credentials.json');
  const kept = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as { gopay?: Partial<GoPayCredentials>; shopeepay?: Partial<ShopeePayCredentials> })
    : {};
  const secret = () => randomBytes(32).toString('base64url');
  const gopay: GoPayCredentials = {
    clientId: `sandbox-gopay-${randomBytes(4).toString('hex')}`,
    clientSecret: secret(),
    partnerId: 'SANDBOXPARTNER',
    webhookSecret: secret(),
    ...kept.gopay,
    ...definedOnly(opts.gopayCredentials),
  };
  const shopeepay: ShopeePayCredentials = {
    merchantId: `sandbox-merchant-${randomBytes(4).toString('hex')}`,
    secret: secret(),
    webhookSecret: secret(),
    ...kept.shopeepay,
    ...definedOnly(opts.shopeepayCredentials),
  };
  writeFileSync(file, JSON.stringify({ gopay, shopeepay }, null, 2), { mode: 0o600 });
  chmodSync(file, 0o600);
  return { gopay, shopeepay };
}

function definedOnly<T extends object>(o: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined && v !== '')) as Partial<T>;
}

/**
 * The payment service's configuration for these sandboxes as external providers: what each payment
 * replica needs (base URLs, credentials, webhook secrets) to use them instead of in-process ones.
 */
export function paymentEnvFor(sb: Pick<Sandboxes, 'gopay' | 'shopeepay'>): Record<string, string> {
  return {
    GOPAY_BASE_URL: sb.gopay.url,
    GOPAY_CLIENT_ID: sb.gopay.credentials.clientId,
    GOPAY_CLIENT_SECRET: sb.gopay.credentials.clientSecret,
    GOPAY_PARTNER_ID: sb.gopay.credentials.partnerId,
    GOPAY_WEBHOOK_SECRET: sb.gopay.credentials.webhookSecret,
    SHOPEEPAY_BASE_URL: sb.shopeepay.url,
    SHOPEEPAY_MERCHANT_ID: sb.shopeepay.credentials.merchantId,
    SHOPEEPAY_SECRET: sb.shopeepay.credentials.secret,
    SHOPEEPAY_WEBHOOK_SECRET: sb.shopeepay.credentials.webhookSecret,
  };
}
