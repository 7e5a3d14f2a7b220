import type { Logger } from 'pino';
import type { Config } from '../shared/config.ts';
import type { Orm } from '../../adapters/persistence/orm.ts';
import type { MerchantRepository } from '../../domain/merchant/merchant.repository.ts';
import type { PayoutRepository } from '../../domain/disbursement/payout.repository.ts';
import type { DisbursementProvider } from '../../domain/disbursement/disbursement-provider.ts';
import { createDisbursementAdapter, type DisbursementAdapter } from '../../adapters/disbursement/index.ts';
import { PostgresPayoutCheckQueue } from '../../adapters/persistence/merchant/postgres-payout-check-queue.ts';
import { PayoutMerchantHandler } from '../../application/merchant/payout-merchant.handler.ts';
import { CheckPayoutHandler } from '../../application/merchant/check-payout.handler.ts';
import { CheckPendingPayoutsHandler } from '../../application/merchant/check-pending-payouts.handler.ts';
import { PayoutChecker } from '../../application/merchant/payout-checker.ts';

/** The payment module's payouts: the use cases (pay out, check one, check the pending) and the background checker, over the bank-transfer API (the module's `payouts` worker starts and stops them). */
export interface PaymentPayouts {
  payouts: PayoutMerchantHandler;
  check: CheckPayoutHandler;
  checkPending: CheckPendingPayoutsHandler;
  checker: PayoutChecker;
  /** The adapter started by start() (null with an injected provider, or before start). */
  adapter: DisbursementAdapter | null;
  /** Connects the bank-transfer API (unless one was injected) and, when `worker` and PAYOUT_CHECK_ENABLED, starts the checker. */
  start(worker: boolean): Promise<void>;
  stop(): Promise<void>;
}

export function createPaymentPayouts(deps: {
  orm: Orm;
  config: Config;
  merchants: MerchantRepository;
  payouts: PayoutRepository;
  logger: Logger;
  provider?: DisbursementProvider;
}): PaymentPayouts {
  const { config, logger } = deps;
  let provider = deps.provider ?? null;
  // The adapter starts asynchronously (a sandbox listens) in start(); the use cases reach it at call time.
  const lazy: DisbursementProvider = {
    transfer: (order) => connected().transfer(order),
    status: (reference) => connected().status(reference),
  };
  const connected = () => {
    if (!provider) throw new Error('payment module not started: the disbursement provider is set in start()');
    return provider;
  };
  const bank = { payouts: deps.payouts, provider: lazy, logger };
  const payouts = new PayoutMerchantHandler({ ...bank, merchants: deps.merchants });
  const check = new CheckPayoutHandler(bank);
  const checkPending = new CheckPendingPayoutsHandler(bank);
  const checker = new PayoutChecker(
    new PostgresPayoutCheckQueue(deps.orm),
    check,
    {
      intervalMs: config.PAYOUT_CHECK_INTERVAL_MS,
      olderThanSeconds: config.PAYOUT_CHECK_AFTER_SECONDS,
      leaseMs: config.PAYOUT_CHECK_LEASE_MS,
      backoffMaxMs: config.PAYOUT_CHECK_BACKOFF_MAX_MS,
    },
    logger,
  );
  const self: PaymentPayouts = {
    payouts,
    check,
    checkPending,
    checker,
    adapter: null,
    async start(worker) {
      if (!provider) {
        if (!config.DISBURSEMENT_BASE_URL && config.NODE_ENV === 'production') {
          // No payout can be made either (the CLI refuses too): nothing to check.
          logger.warn('DISBURSEMENT_BASE_URL is not set: the payout checker does not run');
          return;
        }
        self.adapter = await createDisbursementAdapter(config, logger);
        provider = self.adapter.provider;
        if (self.adapter.sandbox) logger.info({ disbursement: self.adapter.sandbox.url }, 'disbursement sandbox started');
      }
      if (worker && config.PAYOUT_CHECK_ENABLED) checker.start();
    },
    async stop() {
      await checker.stop();
      await self.adapter?.close();
    },
  };
  return self;
}
