import type { AdminContext } from '../cli.ts';
import { createDisbursementAdapter } from '../../../adapters/disbursement/index.ts';
import { PostgresPayoutRepository } from '../../../adapters/persistence/merchant/postgres-payout.repository.ts';
import { PayoutMerchantHandler } from '../../../application/merchant/payout-merchant.handler.ts';
import { paymentCli } from './payment-cli.ts';

/**
 * The payout use case over the configured bank-transfer API, or — outside production, with no
 * DISBURSEMENT_BASE_URL — over a sandbox started for this one command (createDisbursementAdapter).
 */
export async function payoutCli(ctx: AdminContext): Promise<{ payouts: PayoutMerchantHandler; sandbox: boolean; close(): Promise<void> }> {
  const { provider, sandbox, close } = await createDisbursementAdapter(ctx.config);
  const { ledger, merchants } = paymentCli(ctx);
  return { payouts: new PayoutMerchantHandler({ merchants, payouts: new PostgresPayoutRepository(ctx.orm, ledger), provider }), sandbox: sandbox !== null, close };
}
