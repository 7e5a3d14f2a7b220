import type { EWalletNotification, EWalletWebhookVerifier, TopUpStatus } from '../../../domain/ewallet/ewallet-provider.ts';
import { sameSignature } from '../gopay/gopay-protocol.ts';
import { SHOPEEPAY_NOTIFICATION_TOLERANCE_SECONDS, signShopeePayNotification } from './shopeepay-protocol.ts';
import { EWalletErrors } from '../../../domain/ewallet/ewallet.errors.ts';
import { CommonErrors } from '../../../domain/shared/common.errors.ts';
import { NotificationVerifierBase, type NotificationHeaders, notificationHeader, verifiedNotificationBody } from '../notification-body.ts';

const STATUSES: readonly TopUpStatus[] = ['SUCCESS', 'PENDING', 'FAILED'];

/** Checks a ShopeePay notification: X-SP-Timestamp (unix seconds) within 5 minutes, X-SP-Signature over timestamp and raw body. */
export class ShopeePayWebhookVerifier extends NotificationVerifierBase implements EWalletWebhookVerifier {
  readonly method = 'SHOPEE_PAY' as const;

  verify(rawBody: Buffer, headers: NotificationHeaders): EWalletNotification {
    const timestamp = notificationHeader(headers, 'x-sp-timestamp');
    const signature = notificationHeader(headers, 'x-sp-signature');
    const seconds = timestamp && /^\d{1,12}$/.test(timestamp) ? Number(timestamp) : Number.NaN;
    if (!signature || !Number.isFinite(seconds) || Math.abs(this.now() / 1000 - seconds) > SHOPEEPAY_NOTIFICATION_TOLERANCE_SECONDS) {
      throw CommonErrors.invalidSignature('missing or stale notification timestamp');
    }
    const body = verifiedNotificationBody(rawBody, sameSignature(signShopeePayNotification(this.secret, rawBody, timestamp!), signature));
    const { reference_id: reference, transaction_sn: providerReference, status } = body;
    if (typeof reference !== 'string' || typeof providerReference !== 'string' || !STATUSES.includes(status as TopUpStatus)) {
      throw EWalletErrors.invalidNotification('notification lacks reference or status');
    }
    const n: EWalletNotification = { reference, status: status as TopUpStatus, providerReference };
    if (status === 'FAILED' && typeof body.reason === 'string') n.reason = body.reason;
    return n;
  }
}
