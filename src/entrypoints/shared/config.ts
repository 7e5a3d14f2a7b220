import { z } from 'zod';
import { callWorstCaseMs, reconcileDelayProblem } from '../../domain/ewallet/top-up-finality.ts';
import { parseFeeTable } from '../../domain/merchant/mdr.ts';

/**
 * The only module that reads process.env. Every variable is validated here; a bad one stops
 * the process at start with a message that names it. The README's configuration table lists them.
 */
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const port = z.coerce.number().int().min(0).max(65535);
// A cookie Path attribute: absolute, no separators, spaces or controls that would end the attribute.
const cookiePath = z
  .string()
  .regex(/^\/[\x21-\x7e]*$/, 'must be an absolute path such as /')
  .refine((v) => !v.includes(';') && !v.includes(','), 'must not contain ; or ,');
const url = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    `must be a URL (${protocols.join(' or ')})`,
  );

const isOrigin = (v: string) => {
  try {
    const u = new URL(v);
    // An exact origin: scheme, host (no wildcard) and port, nothing after.
    return ['http:', 'https:'].includes(u.protocol) && u.origin === v && /^([a-z0-9-]+\.)*[a-z0-9-]+$|^\[[0-9a-f:.]+\]$/.test(u.hostname);
  } catch {
    return false;
  }
};

const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().default('0.0.0.0'),
  PORT: port.default(8080),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SERVICE_NAME: z.string().optional(),

  DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  // Group commit in the ledger (issue 14): up to LEDGER_BATCH_MAX concurrent movements in one
  // transaction (0 or 1: one transaction per movement), a batch waiting LEDGER_BATCH_WINDOW_MS for
  // company (0: none, a lone request goes at once), LEDGER_BATCH_CONCURRENCY batches in flight.
  // On by default: with no window a lone movement is written on the next turn of the event loop
  // (no added wait), and a batch forms only from movements that arrive while the previous ones
  // are being written, so the batch size follows the load by itself; 64 bounds one transaction's
  // locks and statement size (docs/BENCHMARKS.md).
  LEDGER_BATCH_MAX: z.coerce.number().int().min(0).max(500).default(64),
  LEDGER_BATCH_WINDOW_MS: z.coerce.number().int().min(0).max(50).default(0),
  LEDGER_BATCH_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(2),
  REDIS_URL: url(['redis:', 'rediss:']).optional(),
  KAFKA_BROKERS: z
    .string()
    .regex(/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/, 'must be host:port[,host:port...]')
    .optional(),
  KAFKA_CLIENT_ID: z.string().default('one-gate-payment'),
  KAFKA_TOPIC_TRANSACTIONS: z.string().default('transaction-events'),
  KAFKA_TOPIC_USERS: z.string().default('user-events'),
  KAFKA_CONSUMER_GROUP: z.string().min(1).default('transaction-service'),
  API_KEY_ROTATION_OVERLAP_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .max(30 * 86400)
    .default(86400),
  HISTORY_CACHE_TTL_SECONDS: z.coerce.number().int().min(0).max(3600).default(0),

  EMBEDDED_DATA_DIR: z.string().default('.data/embedded'),
  EMBEDDED_PG_PORT: port.default(54329),

  JWT_ISSUER: z.string().default('one-gate-payment'),
  JWT_AUDIENCE: z.string().default('one-gate-payment-api'),
  JWT_PRIVATE_KEY: z.string().optional(),
  JWT_PUBLIC_KEYS: z.string().optional(),
  JWT_KEY_ID: z.string().optional(),
  JWKS_URL: url(['http:', 'https:']).optional(),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(3600).default(900),
  REFRESH_TOKEN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(3600)
    .max(30 * 86400)
    .default(7 * 86400),
  SESSION_MAX_SECONDS: z.coerce
    .number()
    .int()
    .min(3600)
    .max(365 * 86400)
    .default(30 * 86400),
  COOKIE_SECURE: bool.optional(),
  // Session cookies (src/adapters/http/auth/auth-cookies.ts): auth-token on AUTH_COOKIE_PATH (a web
  // client's page routes must see it), refresh-token only on REFRESH_COOKIE_PATH; host-only unless COOKIE_DOMAIN.
  AUTH_COOKIE_PATH: cookiePath.default('/'),
  REFRESH_COOKIE_PATH: cookiePath.default('/api/auth'),
  COOKIE_DOMAIN: z
    .string()
    .regex(/^\.?[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/, 'must be a domain name, e.g. example.com')
    .optional(),
  COOKIE_SAMESITE: z.enum(['Strict', 'Lax', 'None']).default('Strict'),
  ARGON2_MEMORY_KIB: z.coerce.number().int().min(19456).default(19456),
  ARGON2_ITERATIONS: z.coerce.number().int().min(2).default(2),
  ARGON2_PARALLELISM: z.coerce.number().int().min(1).default(1),
  REGISTRATIONS_PER_IP_PER_HOUR: z.coerce.number().int().min(1).default(20),

  TOPUP_MAX_AMOUNT: z
    .string()
    .regex(/^\d{1,13}(\.\d{1,2})?$/, 'must be a decimal amount')
    .default('20000000.00'),
  // Each recipient lookup tells whether a phone or username has an account: a bounded number per user.
  RECIPIENT_LOOKUPS_PER_HOUR: z.coerce.number().int().min(1).default(30),
  // The MDR per merchant category, overriding Bank Indonesia's QRIS table (src/domain/merchant/mdr.ts):
  // CATEGORY=BPS[/FREE_UP_TO],… e.g. "REGULAR=70,MICRO=30/500000.00". Empty: BI's table.
  MERCHANT_FEE_TABLE: z
    .string()
    .optional()
    .superRefine((v, ctx) => {
      try {
        parseFeeTable(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
      }
    }),
  GOPAY_BASE_URL: url(['http:', 'https:']).optional(),
  // The bank-transfer (disbursement) API of merchant payouts; without a base URL the CLI uses the sandbox (not in production).
  DISBURSEMENT_BASE_URL: url(['http:', 'https:']).optional(),
  DISBURSEMENT_PARTNER_ID: z.string().optional(),
  DISBURSEMENT_CLIENT_SECRET: z.string().optional(),
  GOPAY_CLIENT_ID: z.string().optional(),
  GOPAY_CLIENT_SECRET: z.string().optional(),
  GOPAY_PARTNER_ID: z.string().optional(),
  SHOPEEPAY_BASE_URL: url(['http:', 'https:']).optional(),
  SHOPEEPAY_MERCHANT_ID: z.string().optional(),
  SHOPEEPAY_SECRET: z.string().optional(),
  GOPAY_WEBHOOK_SECRET: z.string().optional(),
  SHOPEEPAY_WEBHOOK_SECRET: z.string().optional(),
  // The e-wallet sandboxes (used when a provider has no *_BASE_URL; never in production): where they
  // listen. Port 0 = a free port each start; the URLs are printed at start.
  SANDBOX_HOST: z.string().default('127.0.0.1'),
  SANDBOX_GOPAY_PORT: port.default(0),
  SANDBOX_SHOPEEPAY_PORT: port.default(0),
  // Where the sandboxes keep wallets, top-ups and generated credentials across restarts (the
  // standalone `npm run sandbox` defaults to .data/sandbox; in-process ones keep state only when set,
  // or on the embedded default beside its database), and where they notify (standalone only).
  SANDBOX_STATE_DIR: z.string().optional(),
  SANDBOX_WEBHOOK_BASE_URL: url(['http:', 'https:']).optional(),
  // The standalone sandboxes' acceptance window (how long after its arrival a top-up may still be
  // applied; default DEFAULT_ACCEPTANCE_WINDOW_MS): a harness shortens it together with the payment
  // replicas' GOPAY_/SHOPEEPAY_ACCEPTANCE_WINDOW_MS, which must be at least this.
  SANDBOX_ACCEPTANCE_WINDOW_MS: z.coerce.number().int().min(100).max(86400000).optional(),
  EWALLET_TIMEOUT_MS: z.coerce.number().int().min(100).max(60000).default(5000),
  EWALLET_RETRIES: z.coerce.number().int().min(0).max(5).default(2),
  EWALLET_BACKOFF_MS: z.coerce.number().int().min(0).max(10000).default(200),
  // The providers' acceptance windows (a request is applied within this long of being sent, or
  // never): take them from the provider's documentation, with margin. "Not found" becomes a
  // definite failure only after the call's worst case + this window (top-up-finality.ts).
  GOPAY_ACCEPTANCE_WINDOW_MS: z.coerce.number().int().min(100).max(86400000).default(900000),
  SHOPEEPAY_ACCEPTANCE_WINDOW_MS: z.coerce.number().int().min(100).max(86400000).default(900000),
  EWALLET_CIRCUIT_THRESHOLD: z.coerce.number().int().min(1).max(1000).default(5),
  EWALLET_CIRCUIT_OPEN_MS: z.coerce.number().int().min(100).max(600000).default(30000),
  PAYMENT_RECONCILE_INTERVAL_MS: z.coerce.number().int().min(100).max(3600000).default(10000),
  PAYMENT_RECONCILE_AFTER_SECONDS: z.coerce.number().int().min(1).max(86400).default(30),
  // The daily reconciliation with the providers' statements (one replica per provider and day).
  STATEMENT_RECONCILE_ENABLED: bool.default(true),
  STATEMENT_RECONCILE_CHECK_MS: z.coerce.number().int().min(1000).max(86400000).default(600000),
  STATEMENT_RECONCILE_FROM_HOUR: z.coerce.number().int().min(0).max(23).default(2),
  STATEMENT_RECONCILE_LEASE_SECONDS: z.coerce.number().int().min(10).max(86400).default(900),
  // A top-up still unknown is asked again after INTERVAL, 2×, 4×… up to this.
  PAYMENT_RECONCILE_BACKOFF_MAX_MS: z.coerce.number().int().min(100).max(86400000).default(300000),
  // How long one replica's claim on a pending top-up lasts (one status inquiry must fit in it).
  PAYMENT_RECONCILE_LEASE_MS: z.coerce.number().int().min(100).max(3600000).default(60000),
  // The payout checker (payout-checker.ts): how often it polls, how old a PENDING payout must be
  // before it asks the bank, the back-off cap of a payout still unknown, and one replica's claim
  // (a status inquiry and a re-sent transfer must fit in it).
  PAYOUT_CHECK_ENABLED: bool.default(true),
  PAYOUT_CHECK_INTERVAL_MS: z.coerce.number().int().min(100).max(3600000).default(30000),
  PAYOUT_CHECK_AFTER_SECONDS: z.coerce.number().int().min(1).max(86400).default(60),
  PAYOUT_CHECK_BACKOFF_MAX_MS: z.coerce.number().int().min(100).max(86400000).default(900000),
  PAYOUT_CHECK_LEASE_MS: z.coerce.number().int().min(100).max(3600000).default(120000),

  // Who may tell us the client's address (X-Forwarded-For), and how many proxies of ours append to it
  // (docs/SECURITY.md). Nobody by default: without a gateway configured, the peer is the client.
  TRUSTED_PROXIES: z.string().default(''),
  TRUSTED_PROXY_HOPS: z.coerce.number().int().min(1).max(5).default(1),
  // Web origins (scheme://host[:port]) besides the API's own host whose pages may send cookie-authenticated writes.
  ALLOWED_ORIGINS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .refine((list) => list.every(isOrigin), 'must be a comma-separated list of origins such as https://app.example.com'),
  // AES-256-GCM key sealing KYC identity data at rest (32 bytes, base64 or hex); never stored in the database.
  KYC_ENCRYPTION_KEY: z
    .string()
    .refine((v) => /^[0-9a-f]{64}$/i.test(v) || Buffer.from(v, 'base64').length === 32, 'must be 32 bytes as base64 or hex')
    .optional(),
  // Bank Indonesia's e-money limits per KYC tier (PBI 20/6/PBI/2018 and its 2022 revision), IDR.
  KYC_MAX_BALANCE_UNREGISTERED: z
    .string()
    .regex(/^\d{1,13}(\.\d{1,2})?$/, 'must be a decimal amount')
    .default('2000000.00'),
  KYC_MAX_BALANCE_REGISTERED: z
    .string()
    .regex(/^\d{1,13}(\.\d{1,2})?$/, 'must be a decimal amount')
    .default('20000000.00'),
  KYC_MONTHLY_INCOMING_UNREGISTERED: z
    .string()
    .regex(/^\d{1,13}(\.\d{1,2})?$/, 'must be a decimal amount')
    .default('20000000.00'),
  KYC_MONTHLY_INCOMING_REGISTERED: z
    .string()
    .regex(/^\d{1,13}(\.\d{1,2})?$/, 'must be a decimal amount')
    .default('40000000.00'),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(120000).default(10000),
  // How long the server waits for a whole request (node's requestTimeout); the Idempotency-Key claim lease follows it.
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600000).default(30000),
  // Idle keep-alive connections are kept this long. Longer than the router's idle reuse of its
  // connections to us (HAProxy reuses one 5 s idle; node's old 5 s default raced it: 502s found by bench/topology.ts).
  HTTP_KEEPALIVE_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600000).default(65000),
  // How long an IN_FLIGHT Idempotency-Key claim holds before a retry may take it over; unset = the request timeout + 5 s.
  IDEMPOTENCY_LEASE_SECONDS: z.coerce.number().int().min(1).max(3600).optional(),
  // Outbox relay leadership: a lease renewed every batch; a stalled leader loses it after this long.
  OUTBOX_RELAY_LEASE_MS: z.coerce.number().int().min(500).max(600000).default(5000),
  // Kafka consumer group liveness: a consumer that stops heartbeating is evicted after the session timeout.
  KAFKA_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6000).max(300000).default(10000),
  KAFKA_HEARTBEAT_INTERVAL_MS: z.coerce.number().int().min(100).max(100000).default(1000),
  DEMO_SEED: bool.optional(),
  // Audit trail (docs/SECURITY.md "Audit trail"): checkpoints are signed with this Ed25519 key
  // (PKCS#8 PEM), which the database never holds; AUDIT_VERIFY_KEYS (PEM public keys) verify older ones.
  AUDIT_SIGNING_KEY: z.string().optional(),
  AUDIT_VERIFY_KEYS: z.string().optional(),
  AUDIT_CHECKPOINT_EVERY: z.coerce.number().int().min(1).max(1_000_000).default(100),
  // Company records, transaction journals included, are kept 10 years (Indonesian company-document law).
  AUDIT_RETENTION_YEARS: z.coerce.number().int().min(1).max(100).default(10),
  // OpenTelemetry: traces are exported over OTLP/HTTP to this collector when set (src/adapters/observability).
  OTEL_EXPORTER_OTLP_ENDPOINT: url(['http:', 'https:']).optional(),
});

export type Config = z.infer<typeof schema> & {
  /** True when no external service is configured: embedded PostgreSQL, in-memory Redis and events. */
  embedded: boolean;
};

export class ConfigError extends Error {}

/** Every variable, validated; no rule across variables yet. */
function parseEnv(env: NodeJS.ProcessEnv): z.infer<typeof schema> {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') clean[k] = v;
  const parsed = schema.safeParse(clean);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

/**
 * The migration job's configuration: it talks to PostgreSQL only, so DATABASE_URL is all it
 * requires (no Redis, Kafka or signing key); the other variables keep their validation and defaults.
 */
export function loadMigrateConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const c = parseEnv(env);
  if (!c.DATABASE_URL)
    throw new ConfigError('invalid configuration:\n  DATABASE_URL: required by the migration job (the embedded default migrates itself on start)');
  return { ...c, embedded: false };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const c = parseEnv(env);
  const embedded = !c.DATABASE_URL && !c.REDIS_URL && !c.KAFKA_BROKERS;
  if (!embedded && (!c.DATABASE_URL || !c.REDIS_URL || !c.KAFKA_BROKERS)) {
    const missing = ['DATABASE_URL', 'REDIS_URL', 'KAFKA_BROKERS'].filter((k) => !c[k as keyof typeof c]);
    throw new ConfigError(`invalid configuration:\n  ${missing.join(', ')}: required once any of DATABASE_URL, REDIS_URL, KAFKA_BROKERS is set`);
  }
  if (c.NODE_ENV === 'production' && embedded) {
    throw new ConfigError('invalid configuration:\n  DATABASE_URL: required in production (the embedded default is for development)');
  }
  if (c.NODE_ENV === 'production' && !c.JWT_PRIVATE_KEY && !c.JWT_PUBLIC_KEYS && !c.JWKS_URL) {
    throw new ConfigError('invalid configuration:\n  JWT_PRIVATE_KEY: required in production (or JWT_PUBLIC_KEYS / JWKS_URL for verifying services)');
  }
  // Browsers drop a SameSite=None cookie that is not Secure (the same default as cookiesSecure in auth.module.ts).
  if (c.COOKIE_SAMESITE === 'None' && !(c.COOKIE_SECURE ?? c.NODE_ENV !== 'development')) {
    throw new ConfigError('invalid configuration:\n  COOKIE_SAMESITE: None requires Secure cookies (COOKIE_SECURE=true)');
  }
  // A real provider needs all of its credentials; without a base URL the sandboxes are used.
  for (const [base, needed] of [
    ['GOPAY_BASE_URL', ['GOPAY_CLIENT_ID', 'GOPAY_CLIENT_SECRET', 'GOPAY_PARTNER_ID']],
    ['SHOPEEPAY_BASE_URL', ['SHOPEEPAY_MERCHANT_ID', 'SHOPEEPAY_SECRET']],
    ['DISBURSEMENT_BASE_URL', ['DISBURSEMENT_PARTNER_ID', 'DISBURSEMENT_CLIENT_SECRET']],
  ] as const) {
    const missing = needed.filter((k) => !c[k]);
    if (c[base] && missing.length > 0) throw new ConfigError(`invalid configuration:\n  ${missing.join(', ')}: required when ${base} is set`);
  }
  if (c.KAFKA_HEARTBEAT_INTERVAL_MS * 3 > c.KAFKA_SESSION_TIMEOUT_MS) {
    throw new ConfigError('invalid configuration:\n  KAFKA_HEARTBEAT_INTERVAL_MS: must be at most a third of KAFKA_SESSION_TIMEOUT_MS');
  }
  // The reconciler must not ask before the request's own call is surely over, and its claim must
  // outlast one status inquiry (else a second replica takes the same top-up while it is asked).
  const call = { timeoutMs: c.EWALLET_TIMEOUT_MS, retries: c.EWALLET_RETRIES, backoffMs: c.EWALLET_BACKOFF_MS };
  const delayProblem = reconcileDelayProblem(c.PAYMENT_RECONCILE_AFTER_SECONDS * 1000, call);
  if (delayProblem) throw new ConfigError(`invalid configuration:\n  PAYMENT_RECONCILE_AFTER_SECONDS: ${delayProblem}`);
  const leaseProblem = reconcileDelayProblem(c.PAYMENT_RECONCILE_LEASE_MS, call);
  if (leaseProblem)
    throw new ConfigError(`invalid configuration:\n  PAYMENT_RECONCILE_LEASE_MS: ${leaseProblem.replace('reconcile delay', 'reconcile lease')}`);
  // The same for the payout checker, whose bank calls use the same limits; its claim covers two calls.
  const payoutDelayProblem = reconcileDelayProblem(c.PAYOUT_CHECK_AFTER_SECONDS * 1000, call);
  if (payoutDelayProblem) throw new ConfigError(`invalid configuration:\n  PAYOUT_CHECK_AFTER_SECONDS: ${payoutDelayProblem}`);
  if (c.PAYOUT_CHECK_LEASE_MS < 2 * callWorstCaseMs(call)) {
    throw new ConfigError(
      `invalid configuration:\n  PAYOUT_CHECK_LEASE_MS: must be at least twice the bank call's worst case (a status inquiry, then a re-sent transfer): ${2 * callWorstCaseMs(call)} ms`,
    );
  }
  return { ...c, embedded };
}

/**
 * The Idempotency-Key claim lease: long enough that a live request (bounded by the request timeout)
 * never loses its claim, short enough that a retry after a crash is refused only briefly.
 */
export const idempotencyLeaseSeconds = (c: Pick<Config, 'HTTP_REQUEST_TIMEOUT_MS' | 'IDEMPOTENCY_LEASE_SECONDS'>): number =>
  c.IDEMPOTENCY_LEASE_SECONDS ?? Math.ceil(c.HTTP_REQUEST_TIMEOUT_MS / 1000) + 5;
