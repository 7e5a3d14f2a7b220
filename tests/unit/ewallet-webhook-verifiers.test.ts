import { describe, expect, it } from 'vitest';
import type { EWalletWebhookVerifier } from '../../src/domain/ewallet/ewallet-provider.ts';
import { gopayTimestamp, signGopayNotification } from '../../src/adapters/ewallet/gopay/gopay-protocol.ts';
import { GoPayWebhookVerifier } from '../../src/adapters/ewallet/gopay/gopay-webhook-verifier.ts';
import { signShopeePayNotification } from '../../src/adapters/ewallet/shopeepay/shopeepay-protocol.ts';
import { ShopeePayWebhookVerifier } from '../../src/adapters/ewallet/shopeepay/shopeepay-webhook-verifier.ts';

const secret = 'webhook-secret-for-tests';

interface Case {
  verifier: EWalletWebhookVerifier;
  body: Record<string, unknown>;
  /** Headers for a raw body signed with `key` at time `at`. */
  sign(raw: string, key: string, at: Date): Record<string, string>;
}

const cases: Array<[string, Case]> = [
  [
    'GoPay',
    {
      verifier: new GoPayWebhookVerifier(secret),
      body: {
        originalPartnerReferenceNo: 'tx-1',
        originalReferenceNo: 'GPT1',
        latestTransactionStatus: '00',
        transactionStatusDesc: 'Success',
        amount: { value: '10000.00', currency: 'IDR' },
      },
      sign: (raw, key, at) => {
        const ts = gopayTimestamp(at);
        return { 'x-timestamp': ts, 'x-signature': signGopayNotification(key, raw, ts) };
      },
    },
  ],
  [
    'ShopeePay',
    {
      verifier: new ShopeePayWebhookVerifier(secret),
      body: { reference_id: 'tx-1', transaction_sn: 'SPT1', status: 'SUCCESS', amount: '10000.00' },
      sign: (raw, key, at) => {
        const ts = String(Math.floor(at.getTime() / 1000));
        return { 'x-sp-timestamp': ts, 'x-sp-signature': signShopeePayNotification(key, raw, ts) };
      },
    },
  ],
];

describe.each(cases)('%s webhook verifier', (_name, c) => {
  const raw = JSON.stringify(c.body);
  const unauthenticated = expect.objectContaining({ code: 'INVALID_SIGNATURE', kind: 'unauthenticated' });

  it('accepts a notification signed over its raw body and a fresh timestamp', () => {
    expect(c.verifier.verify(Buffer.from(raw), c.sign(raw, secret, new Date()))).toEqual({
      reference: 'tx-1',
      status: 'SUCCESS',
      providerReference: expect.stringMatching(/^(GPT|SPT)1$/),
    });
  });

  it('refuses a tampered body', () => {
    const headers = c.sign(raw, secret, new Date());
    expect(() => c.verifier.verify(Buffer.from(raw.replace('10000.00', '99999.00')), headers)).toThrow(unauthenticated);
    expect(() => c.verifier.verify(Buffer.from(raw.replace('tx-1', 'tx-2')), headers)).toThrow(unauthenticated);
  });

  it('refuses another key, a stale or missing timestamp, a missing signature', () => {
    expect(() => c.verifier.verify(Buffer.from(raw), c.sign(raw, 'other-secret', new Date()))).toThrow(unauthenticated);
    expect(() => c.verifier.verify(Buffer.from(raw), c.sign(raw, secret, new Date(Date.now() - 10 * 60_000)))).toThrow(unauthenticated);
    expect(() => c.verifier.verify(Buffer.from(raw), c.sign(raw, secret, new Date(Date.now() + 10 * 60_000)))).toThrow(unauthenticated);
    const headers = c.sign(raw, secret, new Date());
    for (const name of Object.keys(headers)) {
      const partial = { ...headers, [name]: undefined };
      expect(() => c.verifier.verify(Buffer.from(raw), partial)).toThrow(unauthenticated);
    }
  });

  it('refuses a correctly signed body that is not a notification', () => {
    const junk = '{"hello":"world"}';
    expect(() => c.verifier.verify(Buffer.from(junk), c.sign(junk, secret, new Date()))).toThrow(
      expect.objectContaining({ code: 'INVALID_NOTIFICATION', kind: 'invalid' }),
    );
  });
});
