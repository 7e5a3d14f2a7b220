import type { EWalletNotification, EWalletWebhookVerifier } from '../../../domain/ewallet/ewallet-provider.ts';
import { GOPAY_STATUS, GOPAY_TIMESTAMP_TOLERANCE_MS, isFresh, parseGopayTimestamp, sameSignature, signGopayNotification } from './gopay-protocol.ts';
import { EWalletErrors } from '../../../domain/ewallet/ewallet.errors.ts';
import { CommonErrors } from '../../../domain/shared/common.errors.ts';
import { NotificationVerifierBase, type NotificationHeaders, notificationHeader, verifiedNotificationBody } from '../notification-body.ts';

/**
 * Checks a GoPay top-up notification: X-TIMESTAMP within 5 minutes and X-SIGNATURE over the raw
 * body and that timestamp. Only a verified body is parsed; the caller still re-checks the status.
 */
export class GoPayWebhookVerifier extends NotificationVerifierBase implements EWalletWebhookVerifier {
  readonly method = 'GOPAY' as const;

  verify(rawBody: Buffer, headers: NotificationHeaders): EWalletNotification {
    const timestamp = notificationHeader(headers, 'x-timestamp');
    const signature = notificationHeader(headers, 'x-signature');
    if (!timestamp || !signature || !isFresh(parseGopayTimestamp(timestamp), this.now(), GOPAY_TIMESTAMP_TOLERANCE_MS)) {
      throw CommonErrors.invalidSignature('missing or stale notification timestamp');
    }
    const body = verifiedNotificationBody(rawBody, sameSignature(signGopayNotification(this.secret, rawBody, timestamp), signature));
    const reference = body.originalPartnerReferenceNo;
    const providerReference = body.originalReferenceNo;
    const status = typeof body.latestTransactionStatus === 'string' ? GOPAY_STATUS[body.latestTransactionStatus] : undefined;
    if (typeof reference !== 'string' || typeof providerReference !== 'string' || !status) {
      throw EWalletErrors.invalidNotification('notification lacks reference or status');
    }
    const n: EWalletNotification = { reference, status, providerReference };
    if (status === 'FAILED' && typeof body.transactionStatusDesc === 'string') n.reason = body.transactionStatusDesc;
    return n;
  }
}
