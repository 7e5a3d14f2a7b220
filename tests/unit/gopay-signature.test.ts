import { createHash, createHmac, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { GoPayEWalletProvider } from '../../src/adapters/ewallet/gopay/gopay-ewallet-provider.ts';
import {
  GOPAY_PATHS,
  basicAuth,
  gopayStringToSign,
  gopayTimestamp,
  parseGopayTimestamp,
  signGopayRequest,
} from '../../src/adapters/ewallet/gopay/gopay-protocol.ts';
import { DEFAULT_CALL_OPTIONS } from '../../src/adapters/ewallet/provider-http.ts';
import { type GoPaySandbox, startGoPaySandbox } from '../../src/adapters/ewallet/sandbox/gopay-sandbox.ts';

const logger = pino({ level: 'silent' });
const call = { ...DEFAULT_CALL_OPTIONS, timeoutMs: 3000, retries: 0 };

describe('GoPay request signature', () => {
  it('signs METHOD:path:token:hex(sha256(minified body)):timestamp with HMAC-SHA512', () => {
    const ts = '2026-11-25T20:00:00+07:00';
    const body = '{"partnerReferenceNo":"tx1","amount":{"value":"10000.00","currency":"IDR"}}';
    const digest = createHash('sha256').update(body).digest('hex');
    expect(gopayStringToSign('post', GOPAY_PATHS.topUp, 'tok', body, ts)).toBe(`POST:/v1.0/emoney/topup:tok:${digest}:${ts}`);
    // Whitespace is not part of what is signed: the body is minified first.
    expect(gopayStringToSign('POST', GOPAY_PATHS.topUp, 'tok', body.replace(/,/g, ', '), ts)).toBe(`POST:/v1.0/emoney/topup:tok:${digest}:${ts}`);
    const expected = createHmac('sha512', 'secret').update(`POST:/v1.0/emoney/topup:tok:${digest}:${ts}`).digest('base64');
    expect(signGopayRequest('secret', 'POST', GOPAY_PATHS.topUp, 'tok', body, ts)).toBe(expected);
    expect(signGopayRequest('other', 'POST', GOPAY_PATHS.topUp, 'tok', body, ts)).not.toBe(expected);
  });

  it('writes and reads SNAP timestamps in Jakarta time', () => {
    const at = new Date('2026-11-25T13:00:00.000Z');
    expect(gopayTimestamp(at)).toBe('2026-11-25T20:00:00+07:00');
    expect(parseGopayTimestamp(gopayTimestamp(at))).toBe(at.getTime());
    expect(parseGopayTimestamp('yesterday')).toBeNaN();
  });
});

describe('GoPay sandbox authentication', () => {
  let sb: GoPaySandbox;
  beforeAll(async () => {
    sb = await startGoPaySandbox({ webhookUrl: () => undefined });
  });
  afterAll(() => sb.stop());

  async function token(): Promise<string> {
    const res = await fetch(sb.url + GOPAY_PATHS.token, {
      method: 'POST',
      headers: {
        authorization: basicAuth(sb.credentials.clientId, sb.credentials.clientSecret),
        'x-client-key': sb.credentials.clientId,
        'x-timestamp': gopayTimestamp(),
        'content-type': 'application/json',
      },
      body: '{"grantType":"client_credentials"}',
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { accessToken: string }).accessToken;
  }

  async function inquiry(opts: { tok: string; secret?: string; ts?: string; body?: string; sentBody?: string; externalId?: string; signature?: string }) {
    const body = opts.body ?? JSON.stringify({ partnerReferenceNo: randomUUID(), customerNumber: '+6281200000001' });
    const ts = opts.ts ?? gopayTimestamp();
    const res = await fetch(sb.url + GOPAY_PATHS.accountInquiry, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${opts.tok}`,
        'x-timestamp': ts,
        'x-signature': opts.signature ?? signGopayRequest(opts.secret ?? sb.credentials.clientSecret, 'POST', GOPAY_PATHS.accountInquiry, opts.tok, body, ts),
        'x-partner-id': sb.credentials.partnerId,
        'x-external-id': opts.externalId ?? randomUUID(),
      },
      body: opts.sentBody ?? body,
    });
    return { status: res.status, body: (await res.json()) as { responseCode: string } };
  }

  it('accepts a correctly signed request', async () => {
    expect(await inquiry({ tok: await token() })).toMatchObject({ status: 200, body: { responseCode: '2003700' } });
  });

  it('refuses a bad signature, a body changed after signing, a wrong secret, a stale timestamp, an unknown token', async () => {
    const tok = await token();
    expect((await inquiry({ tok, signature: 'AAAA' })).status).toBe(401);
    expect((await inquiry({ tok, sentBody: JSON.stringify({ partnerReferenceNo: 'x', customerNumber: '+6281200000003' }) })).status).toBe(401);
    expect((await inquiry({ tok, secret: 'not-the-secret' })).status).toBe(401);
    expect((await inquiry({ tok, ts: gopayTimestamp(new Date(Date.now() - 10 * 60_000)) })).body.responseCode).toBe('4017300');
    expect((await inquiry({ tok: 'forged-token' })).body.responseCode).toBe('4017301');
  });

  it('refuses a repeated X-EXTERNAL-ID', async () => {
    const tok = await token();
    const externalId = randomUUID();
    expect((await inquiry({ tok, externalId })).status).toBe(200);
    expect((await inquiry({ tok, externalId })).status).toBe(409);
  });

  it('refuses wrong client credentials at the token endpoint, and the adapter reports PROVIDER_ERROR without tripping the breaker', async () => {
    const p = new GoPayEWalletProvider({ baseUrl: sb.url, ...sb.credentials, clientSecret: 'wrong', call }, logger);
    await expect(p.accountInquiry('+6281200000001')).rejects.toMatchObject({ code: 'PROVIDER_ERROR', kind: 'bad_gateway' });
    expect(p.breaker.state).toBe('closed');
  });

  it('caches the access token, and fetches a new one once when the provider answers 401 for an expired one', async () => {
    const p = new GoPayEWalletProvider({ baseUrl: sb.url, ...sb.credentials, call }, logger);
    const before = sb.tokensIssued();
    await p.accountInquiry('+6281200000001');
    await p.balanceInquiry('+6281200000001');
    expect(sb.tokensIssued() - before).toBe(1);
    sb.expireTokens();
    expect(await p.accountInquiry('+6281200000001')).toMatchObject({ name: 'Budi Santoso' });
    expect(sb.tokensIssued() - before).toBe(2);
    // Concurrent callers share one token fetch.
    sb.expireTokens();
    await Promise.all([p.accountInquiry('+6281200000001'), p.accountInquiry('+6281200000002'), p.accountInquiry('+6281200000003')]);
    expect(sb.tokensIssued() - before).toBe(3);
  });
});
