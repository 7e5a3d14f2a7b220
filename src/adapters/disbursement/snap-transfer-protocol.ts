import type { DisbursementStatus } from '../../domain/disbursement/disbursement-provider.ts';
import { gopayTimestamp, isFresh, parseGopayTimestamp, sameSignature, signGopayRequest } from '../ewallet/gopay/gopay-protocol.ts';
import { DisbursementErrors } from '../../domain/disbursement/disbursement.errors.ts';
import { CommonErrors } from '../../domain/shared/common.errors.ts';

/**
 * The bank-transfer API as the adapter and the sandbox speak it, shaped on Bank Indonesia's SNAP
 * "Transfer Interbank" (service 18) and "Transfer Status Inquiry" (service 36): JSON bodies with
 * partnerReferenceNo and amount {value, currency}, a seven-digit responseCode (HTTP status +
 * service code + case code), latestTransactionStatus 00 success / 03 pending / 06 failed, and
 * every request signed: X-SIGNATURE = base64 HMAC-SHA512(client secret,
 * "POST:path::sha256hex(minified body):X-TIMESTAMP"), X-PARTNER-ID, X-EXTERNAL-ID unique per day.
 * (The B2B access-token step of full SNAP is left out: the signature carries the authentication.)
 */
export const SNAP_TRANSFER_PATHS = {
  transfer: '/snap/v1.0/transfer-interbank',
  status: '/snap/v1.0/transfer/status',
} as const;

export const SNAP_TRANSFER_STATUS: Record<string, DisbursementStatus> = { '00': 'SUCCESS', '03': 'PENDING', '06': 'FAILED' };
export const SNAP_TRANSFER_STATUS_CODE: Record<DisbursementStatus, string> = { SUCCESS: '00', PENDING: '03', FAILED: '06' };

export const snapTimestamp = gopayTimestamp;

export function signTransferRequest(clientSecret: string, path: string, bodyText: string, timestamp: string): string {
  return signGopayRequest(clientSecret, 'POST', path, '', bodyText, timestamp);
}

/** The server side: a fresh timestamp, the partner, and the signature over this exact body. */
export function verifyTransferRequest(
  headers: Record<string, string | undefined>,
  clientSecret: string,
  partnerId: string,
  path: string,
  rawBody: Buffer,
  nowMs = Date.now(),
): void {
  const ts = headers['x-timestamp'];
  if (!ts || !isFresh(parseGopayTimestamp(ts), nowMs)) throw CommonErrors.staleTimestamp('X-TIMESTAMP missing or stale');
  if (headers['x-partner-id'] !== partnerId) throw DisbursementErrors.invalidPartner();
  if (!headers['x-external-id']) throw DisbursementErrors.invalidExternalId();
  let expected: string;
  try {
    expected = signTransferRequest(clientSecret, path, rawBody.toString('utf8'), ts);
  } catch {
    throw CommonErrors.invalidJson('body must be JSON');
  }
  if (!sameSignature(expected, headers['x-signature'])) throw CommonErrors.invalidSignature('X-SIGNATURE does not match');
}
