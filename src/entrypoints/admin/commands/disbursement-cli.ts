import type { AdminContext } from '../cli.ts';
import { createDisbursementAdapter } from '../../../adapters/disbursement/index.ts';
import { PayoutMerchantHandler } from '../../../application/merchant/payout-merchant.handler.ts';
import { CheckPayoutHandler } from '../../../application/merchant/check-payout.handler.ts';
import { CheckPendingPayoutsHandler } from '../../../application/merchant/check-pending-payouts.handler.ts';
import { PAYMENT } from '../../payment/payment.bindings.ts';

/**
 * The payout use cases over the configured bank-transfer API, or — outside production, with no
 * DISBURSEMENT_BASE_URL — over a sandbox started for this one command (createDisbursementAdapter).
 */
export async function payoutCli(ctx: AdminContext): Promise<{
  payouts: PayoutMerchantHandler;
  check: CheckPayoutHandler;
  checkPending: CheckPendingPayoutsHandler;
  sandbox: boolean;
  close(): Promise<void>;
}> {
  const { provider, sandbox, close } = await createDisbursementAdapter(ctx.config);
  const bank = { payouts: ctx.container.get(PAYMENT.Payouts), provider };
  const payouts = new PayoutMerchantHandler({ ...bank, merchants: ctx.container.get(PAYMENT.Merchants) });
  return { payouts, check: new CheckPayoutHandler(bank), checkPending: new CheckPendingPayoutsHandler(bank), sandbox: sandbox !== null, close };
}
