import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import jwt from 'jsonwebtoken';
import { pino } from 'pino';
import { DEFAULT_CALL_OPTIONS } from '../../src/adapters/ewallet/provider-http.ts';
import { type ShopeePaySandbox, startShopeePaySandbox } from '../../src/adapters/ewallet/sandbox/shopeepay-sandbox.ts';
import { ShopeePayEWalletProvider } from '../../src/adapters/ewallet/shopeepay/shopeepay-ewallet-provider.ts';
import { SHOPEEPAY_PATHS, signShopeePayRequest, verifyShopeePayRequest } from '../../src/adapters/ewallet/shopeepay/shopeepay-protocol.ts';

const logger = pino({ level: 'silent' });
const call = { ...DEFAULT_CALL_OPTIONS, timeoutMs: 3000, retries: 0 };
const secret = 'merchant-secret-for-tests';
const body = '{"request_id":"r1","phone":"+6281200000001"}';

describe('ShopeePay request token', () => {
  it('carries the merchant, iat/exp and the body hash, and verifies', () => {
    const claims = verifyShopeePayRequest(signShopeePayRequest('M1', secret, body), secret, 'M1', Buffer.from(body));
    expect(claims.mid).toBe('M1');
    expect(claims.exp - claims.iat).toBe(60);
    expect(claims.body_sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses stale and future timestamps', () => {
    const old = signShopeePayRequest('M1', secret, body, Date.now() - 10 * 60_000);
    expect(() => verifyShopeePayRequest(old, secret, 'M1', Buffer.from(body))).toThrow(
      expect.objectContaining({ code: 'STALE_TIMESTAMP', kind: 'unauthenticated' }),
    );
    const future = signShopeePayRequest('M1', secret, body, Date.now() + 10 * 60_000);
    expect(() => verifyShopeePayRequest(future, secret, 'M1', Buffer.from(body))).toThrow(expect.objectContaining({ code: 'STALE_TIMESTAMP' }));
  });

  it('refuses another body, another secret, another merchant, alg none and long-lived tokens', () => {
    const tok = signShopeePayRequest('M1', secret, body);
    const invalid = expect.objectContaining({ code: 'INVALID_TOKEN', kind: 'unauthenticated' });
    expect(() => verifyShopeePayRequest(tok, secret, 'M1', Buffer.from(body.replace('r1', 'r2')))).toThrow(invalid);
    expect(() => verifyShopeePayRequest(tok, 'other-secret', 'M1', Buffer.from(body))).toThrow(invalid);
    expect(() => verifyShopeePayRequest(tok, secret, 'M2', Buffer.from(body))).toThrow(invalid);
    const [, payload] = tok.split('.');
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${payload}.`;
    expect(() => verifyShopeePayRequest(none, secret, 'M1', Buffer.from(body))).toThrow(invalid);
    const iat = Math.floor(Date.now() / 1000);
    const long = jwt.sign(
      { mid: 'M1', iat, exp: iat + 86400, jti: 'j', body_sha256: verifyShopeePayRequest(tok, secret, 'M1', Buffer.from(body)).body_sha256 },
      secret,
    );
    expect(() => verifyShopeePayRequest(long, secret, 'M1', Buffer.from(body))).toThrow(invalid);
  });
});

describe('ShopeePay sandbox authentication', () => {
  let sb: ShopeePaySandbox;
  beforeAll(async () => {
    sb = await startShopeePaySandbox({ webhookUrl: () => undefined });
  });
  afterAll(() => sb.stop());

  const post = (token: string, sent = body) =>
    fetch(sb.url + SHOPEEPAY_PATHS.accountCheck, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-merchant-id': sb.credentials.merchantId },
      body: sent,
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as { error?: string; errcode: number } }));

  it('accepts a fresh token and refuses a stale one, a replayed one and one for another body', async () => {
    const { merchantId, secret: s } = sb.credentials;
    const fresh = signShopeePayRequest(merchantId, s, body);
    expect(await post(fresh)).toMatchObject({ status: 200, body: { errcode: 0 } });
    expect((await post(fresh)).status).toBe(401); // replay
    expect(await post(signShopeePayRequest(merchantId, s, body, Date.now() - 5 * 60_000))).toMatchObject({ status: 401, body: { error: 'STALE_TIMESTAMP' } });
    expect((await post(signShopeePayRequest(merchantId, s, body), body.replace('r1', 'r9'))).status).toBe(401);
    expect((await post(signShopeePayRequest(merchantId, 'wrong', body))).status).toBe(401);
  });

  it('the adapter with a stale clock is refused (PROVIDER_ERROR, not retried, breaker untouched)', async () => {
    const p = new ShopeePayEWalletProvider({ baseUrl: sb.url, ...sb.credentials, call: { ...call, retries: 2 }, now: () => Date.now() - 10 * 60_000 }, logger);
    await expect(p.accountInquiry('+6281200000001')).rejects.toMatchObject({ code: 'PROVIDER_ERROR', kind: 'bad_gateway' });
    expect(p.breaker.state).toBe('closed');
    const good = new ShopeePayEWalletProvider({ baseUrl: sb.url, ...sb.credentials, call }, logger);
    expect(await good.accountInquiry('+6281200000001')).toMatchObject({ name: 'Budi Santoso' });
  });
});
