import type { ServiceModule } from '../shared/service-module.ts';
import { CORE } from '../composition/ids.ts';
import { ewalletModule } from '../composition/ewallet.module.ts';
import { paymentRoutes } from '../../adapters/http/payment/payment.controller.ts';
import { PAYMENT, paymentBindings, type PaymentModuleOptions } from './payment.bindings.ts';

export { ensureDemoMerchantLines, PAYMENT, paymentBindings, type PaymentModuleOptions } from './payment.bindings.ts';

/** The payment service: the e-wallet adapter group and the payment context, and its routes. */
export function createPaymentModule(options: PaymentModuleOptions = {}): ServiceModule {
  return {
    name: 'payment',
    modules: [ewalletModule(), paymentBindings(options)],
    routes(router, openapi, container) {
      paymentRoutes(router, openapi, {
        handlers: container.get(PAYMENT.Handlers),
        accessTokens: container.get(CORE.AccessTokens),
        currentRoles: container.get(CORE.CurrentRoles),
        idempotency: container.get(CORE.IdempotencyStore),
      });
    },
  };
}

/** The payment service's bindings, routes and workers: accounts, ledger, top-ups, payments, transfers, refunds, webhooks, freezes, fraud rules, reconcilers, payouts and their checker. */
export const paymentModule: ServiceModule = createPaymentModule();
