import type { AdminContext } from '../cli.ts';
import type { DisbursementProvider } from '../../../domain/disbursement/disbursement-provider.ts';
import { SnapDisbursementProvider } from '../../../adapters/disbursement/snap-disbursement-provider.ts';
import { DISBURSEMENT_SANDBOX_CREDENTIALS, startDisbursementSandbox } from '../../../adapters/disbursement/sandbox/disbursement-sandbox.ts';
import { PayoutMerchantHandler } from '../../../application/merchant/payout-merchant.handler.ts';
import { PAYMENT } from '../../payment/payment.bindings.ts';

/**
 * The payout use case over the configured bank-transfer API, or — outside production, with no
 * DISBURSEMENT_BASE_URL — over a sandbox started for this one command (it accepts every transfer;
 * a later payout-check against a fresh sandbox re-sends the same reference, which is idempotent).
 */
export async function payoutCli(ctx: AdminContext): Promise<{ payouts: PayoutMerchantHandler; sandbox: boolean; close(): Promise<void> }> {
  const c = ctx.config;
  const call = { timeoutMs: c.EWALLET_TIMEOUT_MS, retries: c.EWALLET_RETRIES, backoffMs: 200, circuitFailureThreshold: c.EWALLET_CIRCUIT_THRESHOLD, circuitOpenMs: c.EWALLET_CIRCUIT_OPEN_MS };
  let provider: DisbursementProvider;
  let close = async () => {};
  let sandbox = false;
  if (c.DISBURSEMENT_BASE_URL) {
    provider = new SnapDisbursementProvider({ baseUrl: c.DISBURSEMENT_BASE_URL, partnerId: c.DISBURSEMENT_PARTNER_ID!, clientSecret: c.DISBURSEMENT_CLIENT_SECRET!, call });
  } else {
    if (c.NODE_ENV === 'production') throw new Error('DISBURSEMENT_BASE_URL is required in production (the sandbox fakes bank transfers)');
    const sb = await startDisbursementSandbox();
    provider = new SnapDisbursementProvider({ baseUrl: sb.url, ...DISBURSEMENT_SANDBOX_CREDENTIALS, call });
    close = sb.stop;
    sandbox = true;
  }
  const payouts = new PayoutMerchantHandler({ merchants: ctx.container.get(PAYMENT.Merchants), payouts: ctx.container.get(PAYMENT.Payouts), provider });
  return { payouts, sandbox, close };
}
