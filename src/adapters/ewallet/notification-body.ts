import { EWalletErrors } from '../../domain/ewallet/ewallet.errors.ts';
import { CommonErrors } from '../../domain/shared/common.errors.ts';

/** What both providers' webhook verifiers do besides their own signature scheme. */

export type NotificationHeaders = Record<string, string | string[] | undefined>;

/** One header's first value (Node gives the names lower-case; a hand-built map may not). */
export const notificationHeader = (h: NotificationHeaders, name: string): string | undefined => {
  const v = h[name] ?? h[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
};

/** The notification's JSON, parsed only once its signature matched (an unverified body is never read). */
export function verifiedNotificationBody(rawBody: Buffer, signatureMatches: boolean): Record<string, unknown> {
  if (!signatureMatches) throw CommonErrors.invalidSignature('notification signature does not match');
  try {
    return JSON.parse(rawBody.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw EWalletErrors.invalidNotification('notification body is not JSON');
  }
}

/** The secret and clock both verifiers check a notification with (the clock: tests make timestamps stale). */
export class NotificationVerifierBase {
  protected readonly secret: string;
  protected readonly now: () => number;

  constructor(secret: string, now: () => number = Date.now) {
    this.secret = secret;
    this.now = now;
  }
}
