import { ContainerModule, type Container, type ResolutionContext } from 'inversify';
import { CORE, EWALLET, id } from '../composition/ids.ts';
import { paymentSettingsOf, type PaymentSettings } from './payment-settings.ts';
import { PostgresLedgerRepository } from '../../adapters/persistence/payment/postgres-ledger.repository.ts';
import { PostgresAccountRepository } from '../../adapters/persistence/payment/postgres-account.repository.ts';
import { PostgresMerchantRepository } from '../../adapters/persistence/merchant/postgres-merchant.repository.ts';
import { PostgresPayoutRepository } from '../../adapters/persistence/merchant/postgres-payout.repository.ts';
import { PostgresTopUpReconcileQueue } from '../../adapters/persistence/payment/postgres-top-up-reconcile-queue.ts';
import { PostgresProviderDiscrepancyRepository } from '../../adapters/persistence/payment/postgres-provider-discrepancy.repository.ts';
import { PostgresReconciliationRepository } from '../../adapters/persistence/reconciliation/postgres-reconciliation.repository.ts';
import type { PaymentHandlers } from '../../adapters/http/payment/payment-handlers.ts';
import { GetMerchantProfileQuery } from '../../application/merchant/get-merchant-profile.query.ts';
import { CreateMerchantHandler } from '../../application/merchant/create-merchant.handler.ts';
import { GetMerchantQuery } from '../../application/merchant/get-merchant.query.ts';
import { ListMerchantsQuery } from '../../application/merchant/list-merchants.query.ts';
import { ChangeMerchantStatusHandler } from '../../application/merchant/change-merchant-status.handler.ts';
import { FreezeMerchantHandler } from '../../application/merchant/freeze-merchant.handler.ts';
import { UnfreezeMerchantHandler } from '../../application/merchant/unfreeze-merchant.handler.ts';
import { SetPayoutReserveHandler } from '../../application/merchant/set-payout-reserve.handler.ts';
import { SetMerchantFeeHandler } from '../../application/merchant/set-merchant-fee.handler.ts';
import { MerchantStatementQuery } from '../../application/merchant/merchant-statement.query.ts';
import { ensureDemoMerchants } from '../../application/merchant/ensure-demo-merchants.ts';
import { BalanceCache } from '../../application/payment/shared/balance-cache.ts';
import { TopUpHandler } from '../../application/payment/top-up/top-up.handler.ts';
import { CreatePaymentHandler } from '../../application/payment/create-payment/create-payment.handler.ts';
import { CreateTransferHandler } from '../../application/payment/create-transfer/create-transfer.handler.ts';
import { RefundPaymentHandler } from '../../application/payment/refund-payment/refund-payment.handler.ts';
import { SettleTopUpHandler } from '../../application/payment/settle-top-up/settle-top-up.handler.ts';
import { HandleWebhookHandler } from '../../application/payment/handle-webhook/handle-webhook.handler.ts';
import { TopUpReconciler, type ReconcilerOptions } from '../../application/payment/reconcile-top-ups/top-up-reconciler.ts';
import { GetAccountQuery } from '../../application/payment/get-account/get-account.query.ts';
import { GetAccountLimitsQuery } from '../../application/payment/get-account/get-account-limits.query.ts';
import { GetBalanceQuery } from '../../application/payment/get-balance/get-balance.query.ts';
import { GetWalletBalanceQuery } from '../../application/payment/get-wallet-balance/get-wallet-balance.query.ts';
import { GetTransactionQuery } from '../../application/payment/get-transaction/get-transaction.query.ts';
import { LookUpRecipientQuery } from '../../application/payment/look-up-recipient/look-up-recipient.query.ts';
import { CreditAccountHandler } from '../../application/payment/credit-account/credit-account.handler.ts';
import { ChangeAccountStatusHandler } from '../../application/payment/change-account-status/change-account-status.handler.ts';
import { ReconcileStatementHandler } from '../../application/payment/reconcile-statements/reconcile-statement.handler.ts';
import { ResolveCaseHandler } from '../../application/payment/reconcile-statements/resolve-case.handler.ts';
import { DailyReconciliationJob } from '../../application/payment/reconcile-statements/daily-reconciliation.job.ts';
import { FreezeAccountHandler } from '../../application/payment/freeze-account/freeze-account.handler.ts';
import { UnfreezeAccountHandler } from '../../application/payment/unfreeze-account/unfreeze-account.handler.ts';
import { PostgresRefusalLog } from '../../adapters/persistence/payment/postgres-refusal-log.ts';
import type { RefusalLog } from '../../application/ports/refusal-log.ts';
import { PostgresRiskStore } from '../../adapters/persistence/risk/postgres-risk.store.ts';
import { RiskScreen } from '../../application/risk/risk-screen.ts';
import { DecideRiskCaseHandler } from '../../application/risk/decide-risk-case.handler.ts';
import type { DisbursementProvider } from '../../domain/disbursement/disbursement-provider.ts';
import { createPaymentPayouts, type PaymentPayouts } from './payouts.ts';

/** Container keys of the payment context. */
export const PAYMENT = {
  Settings: id<PaymentSettings>('payment.Settings'),
  BalanceCache: id<BalanceCache>('payment.BalanceCache'),
  Ledger: id<PostgresLedgerRepository>('payment.Ledger'),
  Accounts: id<PostgresAccountRepository>('payment.Accounts'),
  Merchants: id<PostgresMerchantRepository>('payment.Merchants'),
  /** Merchant payouts (their bank transfers are sent by the admin CLI's payout commands). */
  Payouts: id<PostgresPayoutRepository>('payment.Payouts'),
  /** Merchant payouts over the bank-transfer API (the disbursement adapter, started by the `payouts` worker) and their background checker. */
  PaymentPayouts: id<PaymentPayouts>('payment.PaymentPayouts'),
  /** Where refused movements are recorded for the regulator report (the ledger's rules; the fraud rules' BLOCKs). */
  Refusals: id<RefusalLog>('payment.Refusals'),
  /** The fraud rules: their table and held cases, the screen the money-moving handlers ask, an operator's decision on a held case. */
  RiskStore: id<PostgresRiskStore>('payment.RiskStore'),
  Risk: id<RiskScreen>('payment.Risk'),
  DecideRiskCase: id<DecideRiskCaseHandler>('payment.DecideRiskCase'),
  FreezeAccount: id<FreezeAccountHandler>('payment.FreezeAccount'),
  UnfreezeAccount: id<UnfreezeAccountHandler>('payment.UnfreezeAccount'),
  Discrepancies: id<PostgresProviderDiscrepancyRepository>('payment.Discrepancies'),
  Reconciliation: id<PostgresReconciliationRepository>('payment.Reconciliation'),
  SettleTopUp: id<SettleTopUpHandler>('payment.SettleTopUp'),
  /** Another reconciler over the same queue (tests: a second replica, a smaller batch). */
  NewReconciler: id<(overrides?: Partial<ReconcilerOptions>) => TopUpReconciler>('payment.NewReconciler'),
  Reconciler: id<TopUpReconciler>('payment.Reconciler'),
  /** Daily reconciliation with the providers' statements: a run on demand, case resolutions, the scheduled job. */
  ReconcileStatement: id<ReconcileStatementHandler>('payment.ReconcileStatement'),
  ResolveCase: id<ResolveCaseHandler>('payment.ResolveCase'),
  DailyReconciliation: id<DailyReconciliationJob>('payment.DailyReconciliation'),
  Credit: id<CreditAccountHandler>('payment.Credit'),
  ChangeStatus: id<ChangeAccountStatusHandler>('payment.ChangeStatus'),
  TopUp: id<TopUpHandler>('payment.TopUp'),
  CreatePayment: id<CreatePaymentHandler>('payment.CreatePayment'),
  CreateTransfer: id<CreateTransferHandler>('payment.CreateTransfer'),
  RefundPayment: id<RefundPaymentHandler>('payment.RefundPayment'),
  LookUpRecipient: id<LookUpRecipientQuery>('payment.LookUpRecipient'),
  HandleWebhook: id<HandleWebhookHandler>('payment.HandleWebhook'),
  GetAccount: id<GetAccountQuery>('payment.GetAccount'),
  GetAccountLimits: id<GetAccountLimitsQuery>('payment.GetAccountLimits'),
  GetBalance: id<GetBalanceQuery>('payment.GetBalance'),
  GetWalletBalance: id<GetWalletBalanceQuery>('payment.GetWalletBalance'),
  GetTransaction: id<GetTransactionQuery>('payment.GetTransaction'),
  GetMerchantProfile: id<GetMerchantProfileQuery>('payment.GetMerchantProfile'),
  /** The operator's merchant use cases (CLI `merchants …`), one handler or query each. */
  CreateMerchant: id<CreateMerchantHandler>('payment.CreateMerchant'),
  GetMerchant: id<GetMerchantQuery>('payment.GetMerchant'),
  ListMerchants: id<ListMerchantsQuery>('payment.ListMerchants'),
  ChangeMerchantStatus: id<ChangeMerchantStatusHandler>('payment.ChangeMerchantStatus'),
  FreezeMerchant: id<FreezeMerchantHandler>('payment.FreezeMerchant'),
  UnfreezeMerchant: id<UnfreezeMerchantHandler>('payment.UnfreezeMerchant'),
  SetPayoutReserve: id<SetPayoutReserveHandler>('payment.SetPayoutReserve'),
  SetMerchantFee: id<SetMerchantFeeHandler>('payment.SetMerchantFee'),
  MerchantStatement: id<MerchantStatementQuery>('payment.MerchantStatement'),
  /** The use cases the routes call. */
  Handlers: id<PaymentHandlers>('payment.Handlers'),
} as const;

export interface PaymentModuleOptions {
  /** The context's configuration slice (default: derived from the config; the fixtures give scaled-down timings). */
  settings?: PaymentSettings;
  /** Start the reconciler's timer, the payout checker and the daily statement job with the workers (default true; tests drive runOnce themselves). */
  reconciler?: boolean;
  /** The bank-transfer provider of payouts instead of the configured one (tests: the in-memory fake). */
  disbursement?: DisbursementProvider;
}

/**
 * The payment context: accounts, ledger, merchants, top-ups, payments, transfers, refunds,
 * webhooks, freezes, the fraud rules, the reconciler, the statement reconciliation, and merchant
 * payouts with their checker. The e-wallet providers come from an adapter group (ewalletModule, or
 * memoryEWalletModule in the fixtures).
 */
export function paymentBindings(options: PaymentModuleOptions = {}): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(PAYMENT.Settings).toDynamicValue((c) => options.settings ?? paymentSettingsOf(c.get(CORE.Config)));
    bind(PAYMENT.BalanceCache).toDynamicValue((c) => new BalanceCache(c.get(CORE.KeyValueStore)));
    const logger = (c: ResolutionContext) => c.get(CORE.Logger).child({ module: 'payment' });
    bind(PAYMENT.Refusals).toDynamicValue((c) => {
      const log = logger(c);
      return new PostgresRefusalLog(c.get(CORE.Orm), (err, r) => log.warn({ err, rule: r.rule }, 'refusal not recorded'));
    });
    bind(PAYMENT.Ledger).toDynamicValue((c) => {
      const s = c.get(PAYMENT.Settings);
      const cache = c.get(PAYMENT.BalanceCache);
      return new PostgresLedgerRepository(c.get(CORE.Orm), {
        topic: s.ledgerTopic,
        onCommitted: (userIds) => cache.invalidate(userIds),
        limits: s.kycLimits,
        refusals: s.recordRefusals ? c.get(PAYMENT.Refusals) : undefined,
        batch: s.ledgerBatch,
      });
    });
    bind(PAYMENT.RiskStore).toDynamicValue((c) => new PostgresRiskStore(c.get(CORE.Orm)));
    bind(PAYMENT.Risk).toDynamicValue((c) => new RiskScreen(c.get(PAYMENT.RiskStore), logger(c)));
    bind(PAYMENT.DecideRiskCase).toDynamicValue((c) => new DecideRiskCaseHandler(c.get(PAYMENT.RiskStore), c.get(PAYMENT.Ledger)));
    bind(PAYMENT.FreezeAccount).toDynamicValue((c) => new FreezeAccountHandler(c.get(PAYMENT.Accounts)));
    bind(PAYMENT.UnfreezeAccount).toDynamicValue((c) => new UnfreezeAccountHandler(c.get(PAYMENT.Accounts)));
    const risk = (c: ResolutionContext) => (c.get(PAYMENT.Settings).riskScreen ? c.get(PAYMENT.Risk) : undefined);
    bind(PAYMENT.Accounts).toDynamicValue((c) => new PostgresAccountRepository(c.get(CORE.Orm)));
    bind(PAYMENT.Merchants).toDynamicValue((c) => new PostgresMerchantRepository(c.get(CORE.Orm)));
    bind(PAYMENT.Payouts).toDynamicValue((c) => new PostgresPayoutRepository(c.get(CORE.Orm), c.get(PAYMENT.Ledger)));
    bind(PAYMENT.PaymentPayouts).toDynamicValue((c) =>
      createPaymentPayouts({
        orm: c.get(CORE.Orm),
        config: c.get(CORE.Config),
        merchants: c.get(PAYMENT.Merchants),
        payouts: c.get(PAYMENT.Payouts),
        logger: logger(c),
        provider: options.disbursement,
      }),
    );
    bind(PAYMENT.Discrepancies).toDynamicValue((c) => new PostgresProviderDiscrepancyRepository(c.get(CORE.Orm), c.get(PAYMENT.Ledger)));
    bind(PAYMENT.Reconciliation).toDynamicValue((c) => new PostgresReconciliationRepository(c.get(CORE.Orm)));
    bind(PAYMENT.SettleTopUp).toDynamicValue(
      (c) => new SettleTopUpHandler(c.get(PAYMENT.Ledger), c.get(EWALLET.Providers), c.get(PAYMENT.Discrepancies), logger(c)),
    );
    bind(PAYMENT.NewReconciler).toDynamicValue((c) => {
      const queue = new PostgresTopUpReconcileQueue(c.get(CORE.Orm));
      const settle = c.get(PAYMENT.SettleTopUp);
      const s = c.get(PAYMENT.Settings);
      const log = logger(c);
      return (overrides = {}) => new TopUpReconciler(queue, settle, { ...s.reconcile, ...overrides }, log);
    });
    bind(PAYMENT.Reconciler).toDynamicValue((c) => c.get(PAYMENT.NewReconciler)());
    bind(PAYMENT.ReconcileStatement).toDynamicValue((c) => new ReconcileStatementHandler(c.get(PAYMENT.Reconciliation), c.get(EWALLET.Providers)));
    bind(PAYMENT.ResolveCase).toDynamicValue((c) => new ResolveCaseHandler(c.get(PAYMENT.Reconciliation), c.get(PAYMENT.Ledger)));
    bind(PAYMENT.DailyReconciliation).toDynamicValue(
      (c) => new DailyReconciliationJob(c.get(PAYMENT.Reconciliation), c.get(PAYMENT.ReconcileStatement), c.get(PAYMENT.Settings).daily, logger(c)),
    );
    bind(PAYMENT.Credit).toDynamicValue((c) => new CreditAccountHandler(c.get(PAYMENT.Accounts), c.get(PAYMENT.Ledger)));
    bind(PAYMENT.ChangeStatus).toDynamicValue((c) => new ChangeAccountStatusHandler(c.get(PAYMENT.Accounts)));
    bind(PAYMENT.TopUp).toDynamicValue((c) => {
      const s = c.get(PAYMENT.Settings);
      const settle = c.get(PAYMENT.SettleTopUp);
      return new TopUpHandler({
        accounts: c.get(PAYMENT.Accounts),
        ledger: c.get(PAYMENT.Ledger),
        providers: c.get(EWALLET.Providers),
        maxAmount: s.topUpMaxAmount,
        sendDeadlineMs: s.sendDeadlineMs,
        lateSuccess: (id, ref, via) => settle.lateSuccess(id, ref, via),
        logger: logger(c),
        risk: risk(c),
      });
    });
    bind(PAYMENT.CreatePayment).toDynamicValue(
      (c) => new CreatePaymentHandler(c.get(PAYMENT.Accounts), c.get(PAYMENT.Ledger), c.get(PAYMENT.Merchants), c.get(PAYMENT.Settings).feeTable, risk(c)),
    );
    bind(PAYMENT.CreateTransfer).toDynamicValue((c) => new CreateTransferHandler(c.get(PAYMENT.Accounts), c.get(PAYMENT.Ledger), risk(c)));
    bind(PAYMENT.RefundPayment).toDynamicValue((c) => new RefundPaymentHandler(c.get(PAYMENT.Ledger), c.get(PAYMENT.Merchants)));
    bind(PAYMENT.LookUpRecipient).toDynamicValue(
      (c) =>
        new LookUpRecipientQuery({
          accounts: c.get(PAYMENT.Accounts),
          limit: { kv: c.get(CORE.KeyValueStore), perHour: c.get(PAYMENT.Settings).recipientLookupsPerHour },
        }),
    );
    bind(PAYMENT.HandleWebhook).toDynamicValue((c) => new HandleWebhookHandler(c.get(EWALLET.Verifiers), c.get(PAYMENT.Ledger), c.get(PAYMENT.SettleTopUp)));
    bind(PAYMENT.GetAccount).toDynamicValue((c) => new GetAccountQuery(c.get(PAYMENT.Accounts)));
    bind(PAYMENT.GetAccountLimits).toDynamicValue((c) => {
      const limits = c.get(PAYMENT.Settings).kycLimits;
      return new GetAccountLimitsQuery(limits ? { ledger: c.get(PAYMENT.Ledger), limits } : undefined);
    });
    bind(PAYMENT.GetBalance).toDynamicValue((c) => new GetBalanceQuery({ accounts: c.get(PAYMENT.Accounts), cache: c.get(PAYMENT.BalanceCache) }));
    bind(PAYMENT.GetWalletBalance).toDynamicValue((c) => new GetWalletBalanceQuery(c.get(PAYMENT.Accounts), c.get(EWALLET.Providers)));
    bind(PAYMENT.GetTransaction).toDynamicValue((c) => new GetTransactionQuery(c.get(PAYMENT.Ledger)));
    bind(PAYMENT.GetMerchantProfile).toDynamicValue((c) => new GetMerchantProfileQuery(c.get(PAYMENT.Merchants)));
    bind(PAYMENT.CreateMerchant).toDynamicValue((c) => new CreateMerchantHandler(c.get(PAYMENT.Merchants)));
    bind(PAYMENT.GetMerchant).toDynamicValue((c) => new GetMerchantQuery(c.get(PAYMENT.Merchants)));
    bind(PAYMENT.ListMerchants).toDynamicValue((c) => new ListMerchantsQuery(c.get(PAYMENT.Merchants)));
    bind(PAYMENT.ChangeMerchantStatus).toDynamicValue((c) => new ChangeMerchantStatusHandler(c.get(PAYMENT.Merchants)));
    bind(PAYMENT.FreezeMerchant).toDynamicValue((c) => new FreezeMerchantHandler(c.get(PAYMENT.Merchants)));
    bind(PAYMENT.UnfreezeMerchant).toDynamicValue((c) => new UnfreezeMerchantHandler(c.get(PAYMENT.Merchants)));
    bind(PAYMENT.SetPayoutReserve).toDynamicValue((c) => new SetPayoutReserveHandler(c.get(PAYMENT.Merchants)));
    bind(PAYMENT.SetMerchantFee).toDynamicValue((c) => new SetMerchantFeeHandler(c.get(PAYMENT.Merchants)));
    bind(PAYMENT.MerchantStatement).toDynamicValue((c) => new MerchantStatementQuery(c.get(PAYMENT.Merchants)));
    bind(PAYMENT.Handlers).toDynamicValue((c) => ({
      topUp: c.get(PAYMENT.TopUp),
      createPayment: c.get(PAYMENT.CreatePayment),
      createTransfer: c.get(PAYMENT.CreateTransfer),
      lookUpRecipient: c.get(PAYMENT.LookUpRecipient),
      refundPayment: c.get(PAYMENT.RefundPayment),
      getMerchantProfile: c.get(PAYMENT.GetMerchantProfile),
      handleWebhook: c.get(PAYMENT.HandleWebhook),
      getAccount: c.get(PAYMENT.GetAccount),
      getAccountLimits: c.get(PAYMENT.GetAccountLimits),
      getBalance: c.get(PAYMENT.GetBalance),
      getWalletBalance: c.get(PAYMENT.GetWalletBalance),
      getTransaction: c.get(PAYMENT.GetTransaction),
    }));
    bind(CORE.Workers).toDynamicValue((c) => {
      const reconciler = c.get(PAYMENT.Reconciler);
      const daily = c.get(PAYMENT.DailyReconciliation);
      const scheduled = options.reconciler !== false;
      const dailyEnabled = c.get(PAYMENT.Settings).dailyEnabled;
      return {
        name: 'payment reconcilers',
        start() {
          if (scheduled) reconciler.start();
          if (scheduled && dailyEnabled) daily.start();
        },
        async stop() {
          await reconciler.stop();
          await daily.stop();
        },
      };
    });
    bind(CORE.Workers).toDynamicValue((c) => {
      const payouts = c.get(PAYMENT.PaymentPayouts);
      // The disbursement adapter starts in any case (payouts are made on demand); the checker only when scheduled and PAYOUT_CHECK_ENABLED.
      const scheduled = options.reconciler !== false;
      return { name: 'payouts', start: () => payouts.start(scheduled), stop: () => payouts.stop() };
    });
  });
}

/**
 * The embedded default's demo merchants (created when missing), as lines for the start banner.
 * Nothing is created anywhere else.
 */
export async function ensureDemoMerchantLines(container: Container): Promise<string[]> {
  const config = container.get(CORE.Config);
  if (!config.embedded || config.NODE_ENV === 'production' || config.DEMO_SEED === false || !container.isBound(PAYMENT.Merchants)) return [];
  const demo = await ensureDemoMerchants(container.get(PAYMENT.Merchants));
  return [`  demo merchants  ${demo.map((m) => `${m.code} (${m.category})`).join(', ')}   (POST /api/payment/payments with merchant_id)`];
}
