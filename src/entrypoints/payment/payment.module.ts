import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Container } from 'inversify';
import { kycLimitsOf } from './kyc-limits.ts';
import type { Logger } from 'pino';
import type { ServiceModule } from '../shared/service-module.ts';
import type { Config } from '../shared/config.ts';
import type { Infrastructure } from '../shared/infrastructure.ts';
import { TOKENS } from '../shared/tokens.ts';
import { Money } from '../../domain/shared/money.ts';
import type { EWalletMethod, EWalletProvider, EWalletWebhookVerifier } from '../../domain/ewallet/ewallet-provider.ts';
import { createEWalletProviders, needsSandboxes, startSandboxes, type EWalletAdapters, type Sandboxes } from '../../adapters/ewallet/index.ts';
import { PostgresLedgerRepository } from '../../adapters/persistence/payment/postgres-ledger.repository.ts';
import { PostgresAccountRepository } from '../../adapters/persistence/payment/postgres-account.repository.ts';
import { PostgresRefusalLog } from '../../adapters/persistence/payment/postgres-refusal-log.ts';
import type { RefusalLog } from '../../application/ports/refusal-log.ts';
import { PostgresMerchantRepository } from '../../adapters/persistence/merchant/postgres-merchant.repository.ts';
import { parseFeeTable } from '../../domain/merchant/mdr.ts';
import { PAYMENT_METHODS } from '../../domain/ledger/transaction.ts';
import { GetMerchantProfileQuery } from '../../application/merchant/get-merchant-profile.query.ts';
import { ensureDemoMerchants } from '../../application/merchant/ensure-demo-merchants.ts';
import { PostgresTopUpReconcileQueue } from '../../adapters/persistence/payment/postgres-top-up-reconcile-queue.ts';
import { PostgresProviderDiscrepancyRepository } from '../../adapters/persistence/payment/postgres-provider-discrepancy.repository.ts';
import { notFoundFinalAfterMs, sendFenceMs } from '../../domain/ewallet/top-up-finality.ts';
import { paymentRoutes } from '../../adapters/http/payment/payment.controller.ts';
import type { PaymentHandlers } from '../../adapters/http/payment/payment-handlers.ts';
import { BalanceCache } from '../../application/payment/shared/balance-cache.ts';
import type { EWalletProviders, EWalletWebhookVerifiers } from '../../application/payment/shared/ewallet-providers.ts';
import { TopUpHandler } from '../../application/payment/top-up/top-up.handler.ts';
import { CreatePaymentHandler } from '../../application/payment/create-payment/create-payment.handler.ts';
import { CreateTransferHandler } from '../../application/payment/create-transfer/create-transfer.handler.ts';
import { RefundPaymentHandler } from '../../application/payment/refund-payment/refund-payment.handler.ts';
import { SettleTopUpHandler } from '../../application/payment/settle-top-up/settle-top-up.handler.ts';
import { HandleWebhookHandler } from '../../application/payment/handle-webhook/handle-webhook.handler.ts';
import { TopUpReconciler } from '../../application/payment/reconcile-top-ups/top-up-reconciler.ts';
import { GetAccountQuery } from '../../application/payment/get-account/get-account.query.ts';
import { GetWalletBalanceQuery } from '../../application/payment/get-wallet-balance/get-wallet-balance.query.ts';
import { GetTransactionQuery } from '../../application/payment/get-transaction/get-transaction.query.ts';
import { LookUpRecipientQuery } from '../../application/payment/look-up-recipient/look-up-recipient.query.ts';
import { CreditAccountHandler } from '../../application/payment/credit-account/credit-account.handler.ts';
import { ChangeAccountStatusHandler } from '../../application/payment/change-account-status/change-account-status.handler.ts';
import { PostgresReconciliationRepository } from '../../adapters/persistence/reconciliation/postgres-reconciliation.repository.ts';
import { ReconcileStatementHandler } from '../../application/payment/reconcile-statements/reconcile-statement.handler.ts';
import { ResolveCaseHandler } from '../../application/payment/reconcile-statements/resolve-case.handler.ts';
import { PostgresRiskStore } from '../../adapters/persistence/risk/postgres-risk.store.ts';
import { RiskScreen } from '../../application/risk/risk-screen.ts';
import { DailyReconciliationJob } from '../../application/payment/reconcile-statements/daily-reconciliation.job.ts';
import type { DisbursementProvider } from '../../domain/disbursement/disbursement-provider.ts';
import { createPaymentPayouts, type PaymentPayouts } from './payouts.ts';

export const PAYMENT_TOKENS = {
  /** PaymentRuntime: the module's per-container state (handlers, providers, workers). */
  Runtime: Symbol.for('payment.Runtime'),
} as const;

/**
 * What one container's payment module holds. The e-wallet adapters are set in start() (the
 * sandboxes start asynchronously, after the server listens); handlers reach them at call time.
 */
export interface PaymentRuntime {
  handlers: PaymentHandlers;
  ledger: PostgresLedgerRepository;
  accounts: PostgresAccountRepository;
  merchants: PostgresMerchantRepository;
  credit: CreditAccountHandler;
  changeStatus: ChangeAccountStatusHandler;
  settleTopUp: SettleTopUpHandler;
  reconciler: TopUpReconciler;
  /** Daily reconciliation with the providers' statements: a run on demand, case resolutions, the scheduled job. */
  reconcileStatement: ReconcileStatementHandler;
  resolveCase: ResolveCaseHandler;
  dailyReconciliation: DailyReconciliationJob;
  discrepancies: PostgresProviderDiscrepancyRepository;
  /** Where refused movements are recorded for the regulator report (the ledger's rules; a fraud engine's BLOCKs). */
  refusals: RefusalLog;
  ewallet: EWalletAdapters | null;
  /** The in-process provider simulators, when no provider base URL is configured. */
  sandboxes: Sandboxes | null;
  /** Merchant payouts and their background checker (payouts.ts). */
  payouts: PaymentPayouts;
}

export interface PaymentModuleOptions {
  /** Providers and verifiers to use instead of the configured ones (tests: in-memory fakes). */
  ewallet?: EWalletAdapters;
  /** Start the reconciler's timer, the payout checker and the daily statement job in start() (default true; tests drive runOnce themselves). */
  reconciler?: boolean;
  /** The bank-transfer provider of payouts instead of the configured one (tests: the in-memory fake). */
  disbursement?: DisbursementProvider;
}

function lazy<T extends EWalletProvider | EWalletWebhookVerifier>(get: () => Record<EWalletMethod, T>): Record<EWalletMethod, T> {
  return {
    get GOPAY() {
      return get().GOPAY;
    },
    get SHOPEE_PAY() {
      return get().SHOPEE_PAY;
    },
  };
}

export function createPaymentModule(options: PaymentModuleOptions = {}): ServiceModule {
  return {
    name: 'payment',
    bind(container: Container, infra: Infrastructure) {
      const config = infra.config;
      const logger = infra.logger.child({ module: 'payment' });
      const cache = new BalanceCache(infra.kv);
      const refusals = new PostgresRefusalLog(infra.orm, (err, r) => logger.warn({ err, rule: r.rule }, 'refusal not recorded'));
      const ledger = new PostgresLedgerRepository(infra.orm, { topic: config.KAFKA_TOPIC_TRANSACTIONS, onCommitted: (userIds) => cache.invalidate(userIds), limits: kycLimitsOf(config), refusals, batch: { max: config.LEDGER_BATCH_MAX, windowMs: config.LEDGER_BATCH_WINDOW_MS, concurrency: config.LEDGER_BATCH_CONCURRENCY } });
      const accounts = new PostgresAccountRepository(infra.orm);
      const merchants = new PostgresMerchantRepository(infra.orm);
      const runtime = { ledger, accounts, merchants, ewallet: options.ewallet ?? null, sandboxes: null } as PaymentRuntime;
      runtime.refusals = refusals;
      const ewallet = () => {
        if (!runtime.ewallet) throw new Error('payment module not started: e-wallet providers are set in start()');
        return runtime.ewallet;
      };
      const providers: EWalletProviders = lazy(() => ewallet().providers);
      const verifiers: EWalletWebhookVerifiers = lazy(() => ewallet().verifiers);
      const discrepancies = new PostgresProviderDiscrepancyRepository(infra.orm, ledger);
      const settleTopUp = new SettleTopUpHandler(ledger, providers, discrepancies, logger);
      runtime.settleTopUp = settleTopUp;
      runtime.discrepancies = discrepancies;
      const call = { timeoutMs: config.EWALLET_TIMEOUT_MS, retries: config.EWALLET_RETRIES, backoffMs: config.EWALLET_BACKOFF_MS };
      runtime.reconciler = new TopUpReconciler(
        new PostgresTopUpReconcileQueue(infra.orm),
        settleTopUp,
        {
          intervalMs: config.PAYMENT_RECONCILE_INTERVAL_MS,
          olderThanSeconds: config.PAYMENT_RECONCILE_AFTER_SECONDS,
          notFoundFinalAfterMs: { GOPAY: notFoundFinalAfterMs(call, config.GOPAY_ACCEPTANCE_WINDOW_MS), SHOPEE_PAY: notFoundFinalAfterMs(call, config.SHOPEEPAY_ACCEPTANCE_WINDOW_MS) },
          leaseMs: config.PAYMENT_RECONCILE_LEASE_MS,
          backoffMaxMs: config.PAYMENT_RECONCILE_BACKOFF_MAX_MS,
        },
        logger,
      );
      const reconciliation = new PostgresReconciliationRepository(infra.orm);
      runtime.reconcileStatement = new ReconcileStatementHandler(reconciliation, providers);
      runtime.resolveCase = new ResolveCaseHandler(reconciliation, ledger);
      runtime.dailyReconciliation = new DailyReconciliationJob(
        reconciliation,
        runtime.reconcileStatement,
        {
          providers: [...PAYMENT_METHODS],
          checkIntervalMs: config.STATEMENT_RECONCILE_CHECK_MS,
          fromHourJakarta: config.STATEMENT_RECONCILE_FROM_HOUR,
          leaseSeconds: config.STATEMENT_RECONCILE_LEASE_SECONDS,
          owner: `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`,
        },
        logger,
      );
      runtime.payouts = createPaymentPayouts({ orm: infra.orm, config, ledger, merchants, logger, provider: options.disbursement });
      const risk = new RiskScreen(new PostgresRiskStore(infra.orm), logger);
      runtime.credit = new CreditAccountHandler(accounts, ledger);
      runtime.changeStatus = new ChangeAccountStatusHandler(accounts);
      runtime.handlers = {
        topUp: new TopUpHandler({
          accounts,
          ledger,
          providers,
          maxAmount: Money.parse(config.TOPUP_MAX_AMOUNT),
          sendDeadlineMs: sendFenceMs(call),
          lateSuccess: (id, ref, via) => settleTopUp.lateSuccess(id, ref, via),
          logger,
          risk,
        }),
        createPayment: new CreatePaymentHandler(accounts, ledger, merchants, parseFeeTable(config.MERCHANT_FEE_TABLE), risk),
        createTransfer: new CreateTransferHandler(accounts, ledger, risk),
        lookUpRecipient: new LookUpRecipientQuery({ accounts, limit: { kv: infra.kv, perHour: config.RECIPIENT_LOOKUPS_PER_HOUR } }),
        refundPayment: new RefundPaymentHandler(ledger, merchants),
        getMerchantProfile: new GetMerchantProfileQuery(merchants),
        handleWebhook: new HandleWebhookHandler(verifiers, ledger, settleTopUp),
        getAccount: new GetAccountQuery(accounts, cache, { ledger, limits: kycLimitsOf(config) }),
        getWalletBalance: new GetWalletBalanceQuery(accounts, providers),
        getTransaction: new GetTransactionQuery(ledger),
      };
      container.bind(PAYMENT_TOKENS.Runtime).toConstantValue(runtime);
    },
    routes(router, openapi, container) {
      paymentRoutes(router, openapi, container, container.get<PaymentRuntime>(PAYMENT_TOKENS.Runtime).handlers);
    },
    async start(container) {
      const runtime = container.get<PaymentRuntime>(PAYMENT_TOKENS.Runtime);
      const config = container.get<Config>(TOKENS.Config);
      const logger = container.get<Logger>(TOKENS.Logger);
      if (!runtime.ewallet) {
        if (needsSandboxes(config)) {
          // The embedded default and tests: the providers' simulators in-process. Their
          // notifications reach this server when it listens on a known port; tests on PORT=0 set
          // the URL with runtime.sandboxes.setWebhookBaseUrl.
          runtime.sandboxes = await startSandboxes({
            webhookBaseUrl: config.PORT ? `http://127.0.0.1:${config.PORT}/api/payment/webhooks` : undefined,
            host: config.SANDBOX_HOST,
            // The embedded default keeps its sandboxes' wallets beside its database (.data/embedded-sandbox), across restarts.
            stateDir: config.SANDBOX_STATE_DIR ?? (config.embedded ? `${config.EMBEDDED_DATA_DIR.replace(/\/+$/, '')}-sandbox` : undefined),
            gopayPort: config.SANDBOX_GOPAY_PORT,
            shopeepayPort: config.SANDBOX_SHOPEEPAY_PORT,
          });
          // The simulated providers keep the acceptance window we are configured with.
          runtime.sandboxes.gopay.control.acceptanceWindowMs = config.GOPAY_ACCEPTANCE_WINDOW_MS;
          runtime.sandboxes.shopeepay.control.acceptanceWindowMs = config.SHOPEEPAY_ACCEPTANCE_WINDOW_MS;
          logger.info({ gopay: runtime.sandboxes.gopay.url, shopeepay: runtime.sandboxes.shopeepay.url }, 'e-wallet sandboxes started');
        }
        runtime.ewallet = createEWalletProviders(config, logger, runtime.sandboxes ?? undefined);
      }
      if (options.reconciler !== false) runtime.reconciler.start();
      await runtime.payouts.start(options.reconciler !== false);
      if (options.reconciler !== false && config.STATEMENT_RECONCILE_ENABLED) runtime.dailyReconciliation.start();
    },
    async stop(container) {
      const runtime = container.get<PaymentRuntime>(PAYMENT_TOKENS.Runtime);
      await runtime.reconciler.stop();
      await runtime.payouts.stop();
      await runtime.dailyReconciliation.stop();
      await runtime.sandboxes?.stop();
    },
  };
}

/** The payment service's bindings, routes and workers: accounts, ledger, top-ups, payments, transfers, refunds, webhooks, reconciler. */
export const paymentModule: ServiceModule = createPaymentModule();

/**
 * The embedded default's demo merchants (created when missing), as lines for the start banner.
 * Nothing is created anywhere else.
 */
export async function ensureDemoMerchantLines(container: Container): Promise<string[]> {
  const config = container.get<Config>(TOKENS.Config);
  if (!config.embedded || config.NODE_ENV === 'production' || config.DEMO_SEED === false || !container.isBound(PAYMENT_TOKENS.Runtime)) return [];
  const demo = await ensureDemoMerchants(container.get<PaymentRuntime>(PAYMENT_TOKENS.Runtime).merchants);
  return [`  demo merchants  ${demo.map((m) => `${m.code} (${m.category})`).join(', ')}   (POST /api/payment/payments with merchant_id)`];
}
