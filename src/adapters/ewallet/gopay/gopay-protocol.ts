import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { TopUpStatus } from '../../../domain/ewallet/ewallet-provider.ts';

/**
 * The GoPay API as the adapter and the sandbox speak it (SNAP style): paths, status codes and the
 * request and notification signatures. One module, so both sides cannot drift apart.
 */
export const GOPAY_PATHS = {
  token: '/v1.0/access-token/b2b',
  accountInquiry: '/v1.0/emoney/account-inquiry',
  balanceInquiry: '/v1.0/balance-inquiry',
  topUp: '/v1.0/emoney/topup',
  topUpStatus: '/v1.0/emoney/topup-status',
} as const;

/** SNAP `latestTransactionStatus`. */
export const GOPAY_STATUS: Record<string, TopUpStatus> = { '00': 'SUCCESS', '03': 'PENDING', '06': 'FAILED' };
export const GOPAY_STATUS_CODE: Record<TopUpStatus, string> = { SUCCESS: '00', PENDING: '03', FAILED: '06' };

/** How far a signed timestamp may be from the receiver's clock. */
export const GOPAY_TIMESTAMP_TOLERANCE_MS = 5 * 60 * 1000;

/** SNAP timestamps are ISO 8601 with the Jakarta offset: 2026-11-25T20:13:00+07:00. */
export function gopayTimestamp(at: Date = new Date()): string {
  const local = new Date(at.getTime() + 7 * 3600_000).toISOString().slice(0, 19);
  return `${local}+07:00`;
}

/** Parses a SNAP timestamp; NaN when it is not one. */
export function parseGopayTimestamp(ts: string): number {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?([+-]\d{2}:\d{2}|Z)$/.test(ts)) return Number.NaN;
  return Date.parse(ts);
}

export function isFresh(ms: number, now: number, toleranceMs = GOPAY_TIMESTAMP_TOLERANCE_MS): boolean {
  return Number.isFinite(ms) && Math.abs(now - ms) <= toleranceMs;
}

/** JSON without insignificant whitespace; our bodies come from JSON.stringify and already are. */
export function minify(bodyText: string): string {
  if (bodyText.trim() === '') return '';
  return JSON.stringify(JSON.parse(bodyText));
}

export const sha256Hex = (text: string | Buffer): string => createHash('sha256').update(text).digest('hex');

/** METHOD:path:accessToken:lowercase-hex(sha256(minified body)):timestamp */
export function gopayStringToSign(method: string, path: string, accessToken: string, bodyText: string, timestamp: string): string {
  return `${method.toUpperCase()}:${path}:${accessToken}:${sha256Hex(minify(bodyText))}:${timestamp}`;
}

/** X-SIGNATURE of a service request: base64 HMAC-SHA512 with the client secret. */
export function signGopayRequest(clientSecret: string, method: string, path: string, accessToken: string, bodyText: string, timestamp: string): string {
  return createHmac('sha512', clientSecret)
    .update(gopayStringToSign(method, path, accessToken, bodyText, timestamp))
    .digest('base64');
}

/** X-SIGNATURE of a notification GoPay sends us: base64 HMAC-SHA512 over hex(sha256(raw body)):timestamp. */
export function signGopayNotification(secret: string, rawBody: Buffer | string, timestamp: string): string {
  return createHmac('sha512', secret)
    .update(`${sha256Hex(rawBody)}:${timestamp}`)
    .digest('base64');
}

/** Constant-time comparison of two base64 or hex signatures. */
export function sameSignature(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function basicAuth(clientId: string, clientSecret: string): string {
  return `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
}
