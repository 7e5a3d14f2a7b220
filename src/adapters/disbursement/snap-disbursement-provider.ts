import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { DisbursementProvider, DisbursementResult, TransferOrder } from '../../domain/disbursement/disbursement-provider.ts';
import { type HttpAnswer, type ProviderCallOptions, ProviderCaller, ProviderError, postJson } from '../ewallet/provider-http.ts';
import { SNAP_TRANSFER_PATHS, SNAP_TRANSFER_STATUS, signTransferRequest, snapTimestamp } from './snap-transfer-protocol.ts';

export interface SnapDisbursementOptions {
  baseUrl: string;
  partnerId: string;
  clientSecret: string;
  call: ProviderCallOptions;
}

/**
 * The disbursement port over the SNAP-shaped bank-transfer API. Both calls are idempotent (the
 * transfer on partnerReferenceNo), so transient failures are retried; a timeout that survives the
 * retries is reported as PROVIDER_TIMEOUT, an unknown outcome the caller must not treat as failed.
 */
export class SnapDisbursementProvider implements DisbursementProvider {
  private readonly opts: SnapDisbursementOptions;
  private readonly caller: ProviderCaller;

  constructor(opts: SnapDisbursementOptions, logger?: Logger) {
    this.opts = { ...opts, baseUrl: opts.baseUrl.replace(/\/+$/, '') };
    this.caller = new ProviderCaller('disbursement', opts.call, logger);
  }

  transfer(order: TransferOrder): Promise<DisbursementResult> {
    const body = {
      partnerReferenceNo: order.reference,
      amount: { value: order.amount.toString(), currency: 'IDR' },
      beneficiaryBankCode: order.bankCode,
      beneficiaryAccountNo: order.accountNumber,
      beneficiaryAccountName: order.holderName,
      remark: 'One Gate merchant payout',
    };
    return this.caller.call('transfer', true, async () => this.result(await this.post(SNAP_TRANSFER_PATHS.transfer, body), order.reference));
  }

  status(reference: string): Promise<DisbursementResult> {
    return this.caller.call('status', true, async () => {
      const a = await this.post(SNAP_TRANSFER_PATHS.status, { originalPartnerReferenceNo: reference, serviceCode: '18' });
      if (a.status === 404) return { status: 'FAILED', providerReference: null, reason: 'NOT_FOUND' };
      return this.result(a, reference);
    });
  }

  private post(path: string, body: unknown): Promise<HttpAnswer> {
    const text = JSON.stringify(body);
    const timestamp = snapTimestamp();
    return postJson(
      this.opts.baseUrl + path,
      {
        'x-timestamp': timestamp,
        'x-signature': signTransferRequest(this.opts.clientSecret, path, text, timestamp),
        'x-partner-id': this.opts.partnerId,
        'x-external-id': randomUUID().replaceAll('-', ''),
      },
      text,
      this.opts.call.timeoutMs,
    );
  }

  private result(a: HttpAnswer, reference: string): DisbursementResult {
    if (a.status >= 500) throw new ProviderError('PROVIDER_ERROR', `disbursement provider answered ${a.status}`, true);
    const b = a.body as { latestTransactionStatus?: string; referenceNo?: string; partnerReferenceNo?: string; transactionStatusDesc?: string } | undefined;
    const status = b?.latestTransactionStatus ? SNAP_TRANSFER_STATUS[b.latestTransactionStatus] : undefined;
    if (a.status !== 200 || !status || b?.partnerReferenceNo !== reference)
      throw new ProviderError('PROVIDER_ERROR', `disbursement provider answered ${a.status} without a transfer status`, false);
    return { status, providerReference: b.referenceNo ?? null, ...(status === 'FAILED' ? { reason: b.transactionStatusDesc ?? 'FAILED' } : {}) };
  }
}
