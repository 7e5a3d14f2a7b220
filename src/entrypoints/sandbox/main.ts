import { chmodSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createLogger } from '../../adapters/http/logger.ts';
import { describeSandboxes, paymentEnvFor, startSandboxes } from '../../adapters/ewallet/index.ts';
import { ConfigError, loadConfig } from '../shared/config.ts';

/**
 * The e-wallet sandboxes as their own process, the way real providers are one service outside the
 * platform: every payment replica talks to the same GoPay and ShopeePay (stable ports, stable
 * credentials), their wallets and top-ups are kept in SANDBOX_STATE_DIR across restarts (ours and
 * theirs), and they notify SANDBOX_WEBHOOK_BASE_URL (the gateway in front of the replicas).
 * Writes `<state dir>/payment.env` (mode 0600): the variables a payment replica needs to use them.
 */
const DEFAULT_GOPAY_PORT = 8091;
const DEFAULT_SHOPEEPAY_PORT = 8092;

let config;
try {
  config = loadConfig();
} catch (err) {
  console.error(`sandbox: ${err instanceof ConfigError ? err.message : String(err)}`);
  process.exit(1);
}
if (config.NODE_ENV === 'production') {
  console.error('sandbox: refusing to run with NODE_ENV=production (the sandboxes fake top-ups)');
  process.exit(1);
}
const logger = createLogger(config.SERVICE_NAME ?? 'ewallet-sandbox', config.LOG_LEVEL);
const dir = resolve(config.SANDBOX_STATE_DIR ?? '.data/sandbox');

const sandboxes = await startSandboxes({
  stateDir: dir,
  webhookBaseUrl: config.SANDBOX_WEBHOOK_BASE_URL,
  host: config.SANDBOX_HOST,
  gopayPort: config.SANDBOX_GOPAY_PORT || DEFAULT_GOPAY_PORT,
  shopeepayPort: config.SANDBOX_SHOPEEPAY_PORT || DEFAULT_SHOPEEPAY_PORT,
  // The same variables the payment replicas read: one set of credentials configures both sides.
  gopayCredentials: {
    clientId: config.GOPAY_CLIENT_ID,
    clientSecret: config.GOPAY_CLIENT_SECRET,
    partnerId: config.GOPAY_PARTNER_ID,
    webhookSecret: config.GOPAY_WEBHOOK_SECRET,
  },
  shopeepayCredentials: { merchantId: config.SHOPEEPAY_MERCHANT_ID, secret: config.SHOPEEPAY_SECRET, webhookSecret: config.SHOPEEPAY_WEBHOOK_SECRET },
});

if (config.SANDBOX_ACCEPTANCE_WINDOW_MS !== undefined) {
  for (const sb of [sandboxes.gopay, sandboxes.shopeepay]) sb.control.acceptanceWindowMs = config.SANDBOX_ACCEPTANCE_WINDOW_MS;
}

const envFile = join(dir, 'payment.env');
writeFileSync(
  envFile,
  `${Object.entries(paymentEnvFor(sandboxes))
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')}\n`,
  { mode: 0o600 },
);
chmodSync(envFile, 0o600);

const stop = (signal: string) => {
  logger.info({ signal }, 'signal received');
  sandboxes.stop().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
};
process.once('SIGTERM', () => stop('SIGTERM'));
process.once('SIGINT', () => stop('SIGINT'));

logger.info(
  { gopay: sandboxes.gopay.url, shopeepay: sandboxes.shopeepay.url, stateDir: dir, webhooks: config.SANDBOX_WEBHOOK_BASE_URL ?? null },
  'e-wallet sandboxes started',
);
console.log(
  [
    '',
    `E-wallet sandboxes are running (state in ${dir})`,
    ...describeSandboxes(sandboxes),
    `  notifications to ${config.SANDBOX_WEBHOOK_BASE_URL ? `${config.SANDBOX_WEBHOOK_BASE_URL}/{gopay,shopeepay}` : 'nowhere (set SANDBOX_WEBHOOK_BASE_URL)'}`,
    `  payment replicas: set -a; . ${envFile}; set +a   (base URLs and credentials; the file is mode 0600)`,
  ].join('\n'),
);
