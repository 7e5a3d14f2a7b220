import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { EWalletNotification, EWalletProvider } from '../../src/domain/ewallet/ewallet-provider.ts';
import { Money } from '../../src/domain/shared/money.ts';
import type { CircuitBreaker } from '../../src/adapters/ewallet/circuit-breaker.ts';
import type { ProviderCallOptions } from '../../src/adapters/ewallet/provider-http.ts';
import { GoPayEWalletProvider } from '../../src/adapters/ewallet/gopay/gopay-ewallet-provider.ts';
import { GoPayWebhookVerifier } from '../../src/adapters/ewallet/gopay/gopay-webhook-verifier.ts';
import { ShopeePayEWalletProvider } from '../../src/adapters/ewallet/shopeepay/shopeepay-ewallet-provider.ts';
import { ShopeePayWebhookVerifier } from '../../src/adapters/ewallet/shopeepay/shopeepay-webhook-verifier.ts';
import { NO_EWALLET_PREFIX, type Sandboxes, SandboxWallets, startSandboxes } from '../../src/adapters/ewallet/sandbox/index.ts';
import { InMemoryEWalletProvider } from '../../src/adapters/memory/in-memory-ewallet-provider.ts';
import { type WebhookReceiver, startWebhookReceiver } from '../support/webhook-receiver.ts';
import { uniq } from '../support/services.ts';
import { nextDate, statementDateOf } from '../../src/domain/reconciliation/reconciliation.ts';

type Provider = EWalletProvider & { readonly breaker: CircuitBreaker };

interface Harness {
  control: SandboxWallets;
  make(o?: Partial<ProviderCallOptions>): Provider;
  /** Verified notifications received so far (after idle()). */
  notifications(): EWalletNotification[];
  rejectedNotifications(): number;
  idle(): Promise<void>;
  stop(): Promise<void>;
}

const logger = pino({ level: 'silent' });
const clock = { now: Date.now() };
const now = () => clock.now;
// Generous deadline for normal calls (two shared cores), a short one where a hang is expected.
const base: ProviderCallOptions = { timeoutMs: 3000, retries: 1, backoffMs: 5, circuitFailureThreshold: 3, circuitOpenMs: 60_000, now };

let sandboxes: Sandboxes;
let receiver: WebhookReceiver;
beforeAll(async () => {
  sandboxes = await startSandboxes();
  receiver = await startWebhookReceiver({
    gopay: new GoPayWebhookVerifier(sandboxes.gopay.credentials.webhookSecret),
    shopeepay: new ShopeePayWebhookVerifier(sandboxes.shopeepay.credentials.webhookSecret),
  });
  sandboxes.setWebhookBaseUrl(receiver.baseUrl);
});
afterAll(async () => {
  await sandboxes?.stop();
  await receiver?.stop();
});

function memoryHarness(method: 'GOPAY' | 'SHOPEE_PAY'): Harness {
  const control = new SandboxWallets(method);
  const seen: EWalletNotification[] = [];
  control.notify = (t) =>
    seen.push({ reference: t.reference, status: t.status, providerReference: t.providerReference, ...(t.reason ? { reason: t.reason } : {}) });
  return {
    control,
    make: (o = {}) => {
      const opts = { ...base, ...o };
      return new InMemoryEWalletProvider(method, { ...opts, control });
    },
    notifications: () => seen,
    rejectedNotifications: () => 0,
    idle: async () => {},
    stop: async () => control.stop(),
  };
}

function httpHarness(which: 'gopay' | 'shopeepay'): Harness {
  const sb = () => sandboxes[which];
  const method = which === 'gopay' ? 'GOPAY' : 'SHOPEE_PAY';
  return {
    get control() {
      return sb().control;
    },
    make: (o = {}) => {
      const call = { ...base, ...o };
      if (which === 'gopay') return new GoPayEWalletProvider({ baseUrl: sandboxes.gopay.url, ...sandboxes.gopay.credentials, call }, logger);
      return new ShopeePayEWalletProvider({ baseUrl: sandboxes.shopeepay.url, ...sandboxes.shopeepay.credentials, call }, logger);
    },
    notifications: () => receiver.received.filter((n) => n.method === method),
    rejectedNotifications: () => receiver.rejected.length,
    idle: () => sb().notifier.idle(),
    stop: async () => {},
  };
}

const amount = (s: string) => Money.parse(s);
const phone = () => `+62813${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
/** A number in the sandboxes' reserved range: never an e-wallet. */
const noWallet = () => `${NO_EWALLET_PREFIX}${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;

describe.each<[string, () => Harness]>([
  ['InMemoryEWalletProvider', () => memoryHarness('GOPAY')],
  ['GoPayEWalletProvider ↔ GoPay sandbox', () => httpHarness('gopay')],
  ['ShopeePayEWalletProvider ↔ ShopeePay sandbox', () => httpHarness('shopeepay')],
])('EWalletProvider contract: %s', (_name, start) => {
  let h: Harness;
  let p: Provider;
  beforeAll(() => {
    h = start();
    p = h.make();
  });
  afterAll(() => h.stop());

  it('finds a wallet by phone, in any usual notation, and says null in the reserved no-wallet range', async () => {
    const account = await p.accountInquiry('+6281200000001');
    expect(account).toMatchObject({ phone: '+6281200000001', name: 'Budi Santoso' });
    expect(account!.accountNumber).toMatch(/^(GP|SP)\d+$/);
    expect(await p.accountInquiry('081200000001')).toEqual(account);
    expect(await p.accountInquiry('81200000001')).toEqual(account);
    expect(await p.accountInquiry(noWallet())).toBeNull();
    expect(await p.accountInquiry('+6212345')).toBeNull(); // not a mobile number
  });

  it('opens a wallet with balance 0.00 at the first use of any other mobile number, and keeps it', async () => {
    const ph = phone();
    const account = await p.accountInquiry(ph);
    expect(account).toMatchObject({ phone: ph });
    expect((await p.balanceInquiry(ph)).balance.toString()).toBe('0.00');
    const fresh = phone();
    expect((await p.topUp({ reference: uniq('tx'), phone: fresh, amount: amount('10000.00') })).status).toBe('SUCCESS');
    expect((await p.balanceInquiry(fresh)).balance.toString()).toBe('10000.00');
    expect(() => h.control.registerWallet(noWallet())).toThrow(/reserved/);
  });

  it('reports the balance as exact decimal money', async () => {
    const ph = phone();
    h.control.registerWallet(ph, { name: 'Dewi', balance: '12345.67' });
    const b = await p.balanceInquiry(ph);
    expect(b.balance.toString()).toBe('12345.67');
    expect(b.currency).toBe('IDR');
    expect(b.accountNumber).toBe((await p.accountInquiry(ph))!.accountNumber);
    expect(b.lastUpdated).toBeInstanceOf(Date);
    await expect(p.balanceInquiry(noWallet())).rejects.toMatchObject({ code: 'EWALLET_ACCOUNT_NOT_FOUND', kind: 'not_found' });
  });

  it('tops up, and the status and the notification say SUCCESS', async () => {
    const ph = phone();
    h.control.registerWallet(ph, { balance: '100.00' });
    const ref = uniq('tx');
    const r = await p.topUp({ reference: ref, phone: ph, amount: amount('10000.50') });
    expect(r.status).toBe('SUCCESS');
    expect(r.providerReference).toEqual(expect.any(String));
    expect((await p.balanceInquiry(ph)).balance.toString()).toBe('10100.50');
    expect(await p.topUpStatus(ref)).toEqual({ status: 'SUCCESS', providerReference: r.providerReference });
    await h.idle();
    expect(h.notifications()).toContainEqual(expect.objectContaining({ reference: ref, status: 'SUCCESS', providerReference: r.providerReference }));
  });

  it('treats a repeated reference as the same top-up: credited once, even concurrently', async () => {
    const ph = phone();
    h.control.registerWallet(ph);
    const ref = uniq('tx');
    const req = { reference: ref, phone: ph, amount: amount('25000.00') };
    const results = await Promise.all([p.topUp(req), p.topUp(req), p.topUp(req)]);
    const again = await p.topUp(req);
    for (const r of [...results, again]) expect(r).toEqual(results[0]);
    expect((await p.balanceInquiry(ph)).balance.toString()).toBe('25000.00');
  });

  it('returns a decline as FAILED with a reason, not as an error, and moves nothing', async () => {
    const ph = phone();
    h.control.registerWallet(ph, { balance: '5.00' });
    h.control.behave('topup', { kind: 'decline', reason: 'LIMIT_EXCEEDED' }, 1);
    const ref = uniq('tx');
    const r = await p.topUp({ reference: ref, phone: ph, amount: amount('10000.00') });
    expect(r).toMatchObject({ status: 'FAILED', reason: 'LIMIT_EXCEEDED' });
    expect(await p.topUpStatus(ref)).toMatchObject({ status: 'FAILED', reason: 'LIMIT_EXCEEDED' });
    // The same reference stays declined; a wallet that does not exist is declined too.
    expect(await p.topUp({ reference: ref, phone: ph, amount: amount('10000.00') })).toMatchObject({ status: 'FAILED' });
    expect(await p.topUp({ reference: uniq('tx'), phone: noWallet(), amount: amount('10000.00') })).toMatchObject({
      status: 'FAILED',
      reason: 'ACCOUNT_NOT_FOUND',
    });
    expect((await p.balanceInquiry(ph)).balance.toString()).toBe('5.00');
  });

  it('gives the daily statement: every top-up created that day, with both references, amount, status and timestamps', async () => {
    const ph = phone();
    const ok = uniq('tx');
    const declined = uniq('tx');
    const pending = uniq('tx');
    await p.topUp({ reference: ok, phone: ph, amount: amount('10000.50') });
    h.control.behave('topup', { kind: 'decline', reason: 'LIMIT_EXCEEDED' }, 1);
    await p.topUp({ reference: declined, phone: ph, amount: amount('20000.00') });
    h.control.behave('topup', { kind: 'pending' }, 1);
    await p.topUp({ reference: pending, phone: ph, amount: amount('30000.00') });
    const day = statementDateOf(h.control.topUp(ok)!.createdAt);
    const lines = await p.statement(day);
    const mine = new Map(lines.map((l) => [l.reference, l]));
    expect(mine.get(ok)).toMatchObject({ status: 'SUCCESS', providerReference: h.control.topUp(ok)!.providerReference });
    expect(mine.get(ok)!.amount.toString()).toBe('10000.50');
    expect(mine.get(declined)).toMatchObject({ status: 'FAILED', reason: 'LIMIT_EXCEEDED' });
    expect(mine.get(pending)).toMatchObject({ status: 'PENDING' });
    for (const l of [mine.get(ok)!, mine.get(pending)!]) {
      expect(l.createdAt).toBeInstanceOf(Date);
      expect(Math.abs(l.createdAt.getTime() - h.control.topUp(l.reference)!.createdAt.getTime())).toBeLessThan(1000);
      expect(l.updatedAt.getTime()).toBeGreaterThanOrEqual(l.createdAt.getTime() - 1000);
    }
    expect((await p.statement(nextDate(day))).some((l) => [ok, declined, pending].includes(l.reference))).toBe(false);
    await expect(p.statement('2026-02-30')).rejects.toMatchObject({ code: 'INVALID_DATE' });
  });

  it('shows the faults injected at the provider in its statement: a top-up we never sent, one it lost, one it changed', async () => {
    const ph = phone();
    const lost = uniq('tx');
    const changed = uniq('tx');
    const foreign = uniq('tx');
    await p.topUp({ reference: lost, phone: ph, amount: amount('10000.00') });
    await p.topUp({ reference: changed, phone: ph, amount: amount('10000.00') });
    h.control.forget(lost);
    h.control.tamper(changed, { amount: amount('15000.00'), status: 'FAILED' });
    h.control.inject(foreign, ph, amount('5000.00'), 'SUCCESS');
    const lines = await p.statement(statementDateOf(h.control.topUp(changed)!.createdAt));
    const mine = new Map(lines.map((l) => [l.reference, l]));
    expect(mine.has(lost)).toBe(false);
    expect(mine.get(changed)).toMatchObject({ status: 'FAILED' });
    expect(mine.get(changed)!.amount.toString()).toBe('15000.00');
    expect(mine.get(foreign)).toMatchObject({ status: 'SUCCESS' });
    expect(await p.topUpStatus(lost)).toMatchObject({ status: 'NOT_FOUND' });
  });

  it('fails a statement with PROVIDER_ERROR on 5xx (retried when transient), never with a partial one', async () => {
    h.control.behave('statement', { kind: 'error', status: 503 }, 1);
    const day = statementDateOf(new Date());
    expect(Array.isArray(await p.statement(day))).toBe(true); // one 503, then the retry
    h.control.behave('statement', { kind: 'error', status: 500 });
    try {
      await expect(p.statement(day)).rejects.toMatchObject({ code: 'PROVIDER_ERROR' });
    } finally {
      h.control.resetBehaviours();
    }
  });

  it('says NOT_FOUND (unknown, not FAILED) for a reference it never saw', async () => {
    expect(await p.topUpStatus(uniq('never'))).toEqual({ status: 'NOT_FOUND', providerReference: null });
  });

  it('answers PENDING, then settles SUCCESS or FAILED: the status poll and the verified notification agree', async () => {
    const ph = phone();
    h.control.registerWallet(ph);
    h.control.behave('topup', { kind: 'pending' }, 2);
    const ok = uniq('tx');
    const ko = uniq('tx');
    expect((await p.topUp({ reference: ok, phone: ph, amount: amount('10000.00') })).status).toBe('PENDING');
    expect((await p.topUp({ reference: ko, phone: ph, amount: amount('20000.00') })).status).toBe('PENDING');
    expect((await p.topUpStatus(ok)).status).toBe('PENDING');
    expect((await p.balanceInquiry(ph)).balance.toString()).toBe('0.00');

    h.control.settle(ok, 'SUCCESS');
    h.control.settle(ko, 'FAILED', 'EXPIRED');
    expect((await p.topUpStatus(ok)).status).toBe('SUCCESS');
    expect(await p.topUpStatus(ko)).toMatchObject({ status: 'FAILED', reason: 'EXPIRED' });
    expect((await p.balanceInquiry(ph)).balance.toString()).toBe('10000.00');

    await h.idle();
    const mine = h.notifications().filter((n) => n.reference === ok || n.reference === ko);
    expect(mine.map((n) => [n.reference, n.status]).sort()).toEqual(
      [
        [ok, 'SUCCESS'],
        [ko, 'FAILED'],
      ].sort(),
    );
    expect(mine.find((n) => n.reference === ko)!.reason).toBe('EXPIRED');
    expect(h.rejectedNotifications()).toBe(0);
  });

  it('settles a pending top-up by itself when told to settle later', async () => {
    const ph = phone();
    h.control.registerWallet(ph);
    h.control.behave('topup', { kind: 'pending', settleTo: 'SUCCESS', settleAfterMs: 20 }, 1);
    const ref = uniq('tx');
    expect((await p.topUp({ reference: ref, phone: ph, amount: amount('10000.00') })).status).toBe('PENDING');
    await expect.poll(async () => (await p.topUpStatus(ref)).status, { timeout: 5000, interval: 20 }).toBe('SUCCESS');
    await h.idle();
    expect(h.notifications().some((n) => n.reference === ref && n.status === 'SUCCESS')).toBe(true);
  });

  it('times out with PROVIDER_TIMEOUT when the provider hangs, and a later status tells the truth, credited once', async () => {
    const ph = phone();
    h.control.registerWallet(ph);
    const impatient = h.make({ timeoutMs: 150, retries: 1 });
    h.control.behave('topup', { kind: 'hang' });
    const ref = uniq('tx');
    const before = h.control.requests('topup');
    try {
      await expect(impatient.topUp({ reference: ref, phone: ph, amount: amount('15000.00') })).rejects.toMatchObject({
        code: 'PROVIDER_TIMEOUT',
        kind: 'timeout',
      });
    } finally {
      h.control.resetBehaviours();
    }
    expect(h.control.requests('topup') - before).toBe(2); // the idempotent top-up was retried once
    expect((await p.topUpStatus(ref)).status).toBe('SUCCESS');
    expect((await p.balanceInquiry(ph)).balance.toString()).toBe('15000.00');
  });

  it('fails with PROVIDER_ERROR on 5xx without doing anything, and retries a transient one', async () => {
    const ph = phone();
    h.control.registerWallet(ph);
    const ref = uniq('tx');
    h.control.behave('topup', { kind: 'error', status: 503 });
    try {
      await expect(p.topUp({ reference: ref, phone: ph, amount: amount('10000.00') })).rejects.toMatchObject({ code: 'PROVIDER_ERROR', kind: 'bad_gateway' });
    } finally {
      h.control.resetBehaviours();
    }
    expect(await p.topUpStatus(ref)).toEqual({ status: 'NOT_FOUND', providerReference: null });

    h.control.behave('topup', { kind: 'error' }, 1); // one 500, then the retry goes through
    expect((await p.topUp({ reference: ref, phone: ph, amount: amount('10000.00') })).status).toBe('SUCCESS');
    expect((await p.balanceInquiry(ph)).balance.toString()).toBe('10000.00');
  });

  it('opens the circuit after repeated failures (PROVIDER_UNAVAILABLE without calling), and closes it after a good trial', async () => {
    const fragile = h.make({ retries: 0, circuitFailureThreshold: 3, circuitOpenMs: 60_000 });
    h.control.behave('account', { kind: 'error' });
    try {
      for (let i = 0; i < 3; i++) await expect(fragile.accountInquiry('+6281200000001')).rejects.toMatchObject({ code: 'PROVIDER_ERROR' });
      const calls = h.control.requests('account');
      await expect(fragile.accountInquiry('+6281200000001')).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE', kind: 'unavailable' });
      await expect(fragile.topUp({ reference: uniq('tx'), phone: '+6281200000001', amount: amount('10000.00') })).rejects.toMatchObject({
        code: 'PROVIDER_UNAVAILABLE',
      });
      expect(h.control.requests('account')).toBe(calls);
      expect(fragile.breaker.state).toBe('open');
    } finally {
      h.control.resetBehaviours();
    }
    // A decline or an unknown phone is an answer, not a failure: it never trips the breaker.
    clock.now += 60_000;
    expect(fragile.breaker.state).toBe('half-open');
    expect(await fragile.accountInquiry(noWallet())).toBeNull();
    expect(fragile.breaker.state).toBe('closed');
  });
});
