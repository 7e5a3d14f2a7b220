import { createHmac, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { sameSignature, sha256Hex } from '../gopay/gopay-protocol.ts';
import { CommonErrors } from '../../../domain/shared/common.errors.ts';

/**
 * The ShopeePay API as the adapter and the sandbox speak it: every request carries a short-lived
 * HS256 JWT (merchant secret) with iat/exp, the merchant id and the sha256 of the exact body, so
 * a token cannot be replayed on another body or after it went stale.
 */
export const SHOPEEPAY_PATHS = {
  accountCheck: '/v3/merchant-host/user/account/check',
  balance: '/v3/merchant-host/user/balance',
  topUp: '/v3/merchant-host/transaction/topup',
  topUpCheck: '/v3/merchant-host/transaction/check',
} as const;

/** Lifetime of a request token, and how far its iat may be from the server's clock. */
export const SHOPEEPAY_TOKEN_TTL_SECONDS = 60;
export const SHOPEEPAY_CLOCK_TOLERANCE_SECONDS = 30;
/** How old a notification's timestamp may be. */
export const SHOPEEPAY_NOTIFICATION_TOLERANCE_SECONDS = 300;

export interface ShopeePayClaims {
  mid: string;
  iat: number;
  exp: number;
  jti: string;
  body_sha256: string;
}

export function signShopeePayRequest(merchantId: string, secret: string, bodyText: string, nowMs: number = Date.now()): string {
  const iat = Math.floor(nowMs / 1000);
  const claims: ShopeePayClaims = { mid: merchantId, iat, exp: iat + SHOPEEPAY_TOKEN_TTL_SECONDS, jti: randomUUID(), body_sha256: sha256Hex(bodyText) };
  // iat is in the claims, so jsonwebtoken keeps it (and the clock that made it).
  return jwt.sign(claims, secret, { algorithm: 'HS256' });
}

/**
 * The server side: signature (HS256 only), expiry, iat freshness, merchant and body hash.
 * Throws DomainError('STALE_TIMESTAMP' | 'INVALID_TOKEN', 'unauthenticated').
 */
export function verifyShopeePayRequest(token: string, secret: string, merchantId: string, rawBody: Buffer, nowMs: number = Date.now()): ShopeePayClaims {
  let claims: ShopeePayClaims;
  try {
    claims = jwt.verify(token, secret, { algorithms: ['HS256'], clockTimestamp: Math.floor(nowMs / 1000), clockTolerance: 5 }) as ShopeePayClaims;
  } catch (err) {
    if ((err as Error).name === 'TokenExpiredError') throw CommonErrors.staleTimestamp('request token expired');
    throw CommonErrors.invalidToken('request token is not valid');
  }
  const now = nowMs / 1000;
  if (
    typeof claims.iat !== 'number' ||
    typeof claims.exp !== 'number' ||
    Math.abs(now - claims.iat) > SHOPEEPAY_CLOCK_TOLERANCE_SECONDS + SHOPEEPAY_TOKEN_TTL_SECONDS ||
    claims.iat > now + SHOPEEPAY_CLOCK_TOLERANCE_SECONDS
  ) {
    throw CommonErrors.staleTimestamp('request timestamp is stale');
  }
  if (claims.exp - claims.iat > 5 * 60) throw CommonErrors.invalidToken('request token lives too long');
  if (claims.mid !== merchantId) throw CommonErrors.invalidToken('unknown merchant');
  if (typeof claims.jti !== 'string' || !sameSignature(sha256Hex(rawBody), claims.body_sha256)) {
    throw CommonErrors.invalidToken('body does not match the token');
  }
  return claims;
}

/** X-SP-Signature of a notification: base64 HMAC-SHA256 over `${timestamp}.${raw body}`. */
export function signShopeePayNotification(secret: string, rawBody: Buffer | string, timestamp: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('base64');
}
