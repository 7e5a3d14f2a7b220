import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createEWalletProviders, needsSandboxes, startSandboxes, type Sandboxes } from '../../src/adapters/ewallet/index.ts';
import { Money } from '../../src/domain/shared/money.ts';
import { ConfigError, loadConfig } from '../../src/entrypoints/shared/config.ts';
import { type WebhookReceiver, startWebhookReceiver } from '../support/webhook-receiver.ts';
import { uniq } from '../support/services.ts';

const logger = pino({ level: 'silent' });

describe('e-wallet sandboxes: HTTP control API and the factory', () => {
  let sb: Sandboxes;
  let receiver: WebhookReceiver | undefined;
  beforeAll(async () => {
    sb = await startSandboxes({ gopayCredentials: { clientId: 'cid', clientSecret: 'client-secret', partnerId: 'P1', webhookSecret: 'client-secret' } });
  });
  afterAll(async () => {
    await sb.stop();
    await receiver?.stop();
  });

  const ctl = (url: string, method: string, path: string, body?: unknown) =>
    fetch(url + path, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) }).then(
      async (r) => ({
        status: r.status,
        body: r.status === 204 ? null : ((await r.json()) as Record<string, unknown>),
      }),
    );

  it('registers wallets, sets behaviours and settles top-ups over HTTP', async () => {
    const config = loadConfig({ NODE_ENV: 'test', EWALLET_RETRIES: '0' });
    expect(needsSandboxes(config)).toBe(true);
    const { providers } = createEWalletProviders(config, logger, sb);
    for (const [method, url] of [
      ['GOPAY', sb.gopay.url],
      ['SHOPEE_PAY', sb.shopeepay.url],
    ] as const) {
      const p = providers[method];
      const phone = '+62815' + String(Math.floor(Math.random() * 1e8)).padStart(8, '0');
      expect(await ctl(url, 'POST', '/sandbox/wallets', { phone, name: 'Rina', balance: '500.00' })).toMatchObject({
        status: 201,
        body: { phone, balance: '500.00' },
      });
      expect(await p.accountInquiry(phone)).toMatchObject({ name: 'Rina' });
      expect((await ctl(url, 'POST', '/sandbox/behaviours', { operation: 'topup', kind: 'slow' })).status).toBe(400);
      expect((await ctl(url, 'POST', '/sandbox/behaviours', { operation: 'topup', kind: 'pending', times: 1 })).status).toBe(204);
      const ref = uniq('tx');
      expect((await p.topUp({ reference: ref, phone, amount: Money.parse('10000.00') })).status).toBe('PENDING');
      expect(await ctl(url, 'GET', `/sandbox/topups/${ref}`)).toMatchObject({ status: 200, body: { status: 'PENDING', amount: '10000.00' } });
      expect(await ctl(url, 'POST', '/sandbox/settle', { reference: ref, status: 'SUCCESS' })).toMatchObject({ status: 200, body: { status: 'SUCCESS' } });
      expect((await p.topUpStatus(ref)).status).toBe('SUCCESS');
      expect(await ctl(url, 'GET', `/sandbox/wallets/${encodeURIComponent(phone)}`)).toMatchObject({ status: 200, body: { balance: '10500.00' } });
      expect((await ctl(url, 'POST', '/sandbox/behaviours', { operation: '*', kind: 'error', status: 502 })).status).toBe(204);
      await expect(p.accountInquiry(phone)).rejects.toMatchObject({ code: 'PROVIDER_ERROR' });
      expect((await ctl(url, 'DELETE', '/sandbox/behaviours')).status).toBe(204);
      expect(await p.accountInquiry(phone)).not.toBeNull();
    }
  });

  it('builds real adapters from configured base URLs and credentials, and verifies their notifications with the configured secret', async () => {
    const config = loadConfig({
      NODE_ENV: 'test',
      GOPAY_BASE_URL: sb.gopay.url,
      GOPAY_CLIENT_ID: 'cid',
      GOPAY_CLIENT_SECRET: 'client-secret',
      GOPAY_PARTNER_ID: 'P1',
      SHOPEEPAY_BASE_URL: sb.shopeepay.url,
      SHOPEEPAY_MERCHANT_ID: sb.shopeepay.credentials.merchantId,
      SHOPEEPAY_SECRET: sb.shopeepay.credentials.secret,
      SHOPEEPAY_WEBHOOK_SECRET: sb.shopeepay.credentials.webhookSecret,
      EWALLET_TIMEOUT_MS: '3000',
    });
    expect(needsSandboxes(config)).toBe(false);
    const { providers, verifiers } = createEWalletProviders(config, logger);
    receiver = await startWebhookReceiver({ gopay: verifiers.GOPAY, shopeepay: verifiers.SHOPEE_PAY });
    sb.setWebhookBaseUrl(receiver.baseUrl);
    const refs: string[] = [];
    for (const method of ['GOPAY', 'SHOPEE_PAY'] as const) {
      const ref = uniq('tx');
      refs.push(ref);
      expect((await providers[method].topUp({ reference: ref, phone: '+6281200000002', amount: Money.parse('10000.00') })).status).toBe('SUCCESS');
    }
    await Promise.all([sb.gopay.notifier.idle(), sb.shopeepay.notifier.idle()]);
    expect(receiver.rejected).toEqual([]);
    expect(receiver.received.map((n) => [n.method, n.reference]).sort()).toEqual([
      ['GOPAY', refs[0]],
      ['SHOPEE_PAY', refs[1]],
    ]);
    // A late webhook on request (the control API's notify): the same signed notification, sent again.
    expect(await ctl(sb.gopay.url, 'POST', '/sandbox/notify', { reference: refs[0] })).toMatchObject({
      status: 202,
      body: { reference: refs[0], status: 'SUCCESS' },
    });
    expect((await ctl(sb.gopay.url, 'POST', '/sandbox/notify', { reference: uniq('never-sent') })).status).toBe(404);
    await sb.gopay.notifier.idle();
    expect(receiver.rejected).toEqual([]);
    expect(receiver.received.filter((n) => n.reference === refs[0])).toHaveLength(2);
  });

  it('refuses half-configured providers and the sandboxes in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'test', GOPAY_BASE_URL: 'https://api.gopay.example' })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'test', SHOPEEPAY_BASE_URL: 'https://api.shopeepay.example', SHOPEEPAY_SECRET: 's' })).toThrow(/SHOPEEPAY_MERCHANT_ID/);
    const test = loadConfig({ NODE_ENV: 'test' });
    expect(() => createEWalletProviders(test, logger)).toThrow(/start the sandboxes/);
    expect(() => createEWalletProviders({ ...test, NODE_ENV: 'production' }, logger, sb)).toThrow(/required in production/);
  });
});
