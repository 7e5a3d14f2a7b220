import type { Container } from 'inversify';
import { PAYMENT } from '../../src/entrypoints/payment/payment.bindings.ts';
import { EWALLET } from '../../src/entrypoints/composition/ewallet.module.ts';

/** What the suites reach inside a running payment service, resolved from its container. */
export function paymentRuntime(container: Container) {
  const ewallet = container.get(EWALLET.State);
  return {
    ledger: container.get(PAYMENT.Ledger),
    credit: container.get(PAYMENT.Credit),
    reconciler: container.get(PAYMENT.Reconciler),
    reconcileStatement: container.get(PAYMENT.ReconcileStatement),
    resolveCase: container.get(PAYMENT.ResolveCase),
    refusals: container.get(PAYMENT.Refusals),
    /** Merchant payouts and their checker; `adapter` is set once the workers started. */
    payouts: container.get(PAYMENT.PaymentPayouts),
    /** The in-process provider simulators (set once the workers started). */
    get sandboxes() {
      return ewallet.sandboxes;
    },
  };
}

export type PaymentRuntime = ReturnType<typeof paymentRuntime>;
