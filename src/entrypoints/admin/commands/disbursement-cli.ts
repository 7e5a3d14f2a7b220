import type { AdminContext } from '../cli.ts';
import { createDisbursementAdapter } from '../../../adapters/disbursement/index.ts';
import { PayoutMerchantHandler } from '../../../application/merchant/payout-merchant.handler.ts';
import { PAYMENT } from '../../payment/payment.bindings.ts';

/**
 * The payout use case over the configured bank-transfer API, or — outside production, with no
 * DISBURSEMENT_BASE_URL — over a sandbox started for this one command (createDisbursementAdapter).
 */
export async function payoutCli(ctx: AdminContext): Promise<{ payouts: PayoutMerchantHandler; sandbox: boolean; close(): Promise<void> }> {
  const { provider, sandbox, close } = await createDisbursementAdapter(ctx.config);
  const payouts = new PayoutMerchantHandler({ merchants: ctx.container.get(PAYMENT.Merchants), payouts: ctx.container.get(PAYMENT.Payouts), provider });
  return { payouts, sandbox: sandbox !== null, close };
}
