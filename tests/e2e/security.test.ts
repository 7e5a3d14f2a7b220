import { generateKeyPairSync } from 'node:crypto';
import { Writable } from 'node:stream';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/adapters/http/logger.ts';
import { CORE } from '../../src/entrypoints/composition/ids.ts';
import { allModules } from '../../src/entrypoints/all-in-one/modules.ts';
import { startPlatform, type RunningPlatform } from '../../src/entrypoints/shared/platform.ts';
import { createUser, type TestUser } from '../support/fixtures.ts';
import { client, freshIp, newRegistration } from '../support/auth-http.ts';
import { realServicesConfig } from '../support/services.ts';
import { accessTokenFor } from '../support/tokens.ts';
import { issueTestKey } from '../support/transaction-fixtures.ts';
import { createMerchant } from '../support/payment-fixtures.ts';

// The security suite: object-level authorisation (BOLA), credentials used where they do not
// belong, the JWT attack list over HTTP, secrets kept out of the logs, and personal data masked
// for regulators. Logs are captured at debug level so that nothing hides below the threshold.
const logLines: string[] = [];
let p: RunningPlatform;
let api: ReturnType<typeof client>;
let alice: TestUser;
let bob: TestUser;
let aliceToken: string;
let bobToken: string;
let apiKey: string;
let alicePayment: { id: string; transaction_id: string };

beforeAll(async () => {
  const sink = new Writable({ write: (c, _e, cb) => (logLines.push(String(c)), cb()) });
  p = await startPlatform({
    service: 'all-in-one',
    modules: allModules,
    config: realServicesConfig({ LOG_LEVEL: 'debug' }),
    logger: createLogger('security-test', 'debug', sink),
  });
  api = client(p);
  alice = await createUser(p.infra.orm, { balance: '100000.00' });
  bob = await createUser(p.infra.orm, { balance: '100000.00' });
  aliceToken = accessTokenFor(p, { userId: alice.userId, username: alice.username });
  bobToken = accessTokenFor(p, { userId: bob.userId, username: bob.username });
  await createMerchant(p.infra.orm, { code: 'SEC-1' });
  const pay = await api<{ id: string; transaction_id: string }>('POST', '/api/payment/payments', {
    headers: { authorization: `Bearer ${aliceToken}` },
    body: { amount: '1234.00', merchant_id: 'SEC-1' },
  });
  expect(pay.status).toBe(201);
  alicePayment = pay.body.data;
  apiKey = (await issueTestKey(p.infra.orm, { permissions: ['READ_TRANSACTIONS', 'READ_REPORTS'] })).key;
});
afterAll(() => p?.stop());

const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

describe("object-level authorisation (BOLA): another user's ids answer 404", () => {
  it.each([
    ['payment transaction by transaction_id', () => `/api/payment/transactions/${alicePayment.transaction_id}`],
    ['history row by transaction_id', () => `/api/transaction/me/histories/${alicePayment.transaction_id}`],
    ['history row by id', () => `/api/transaction/me/histories/${alicePayment.id}`],
  ])('%s', async (_name, path) => {
    const mine = await api('GET', path(), { headers: bearer(aliceToken) });
    expect(mine.status).toBe(200);
    const theirs = await api('GET', path(), { headers: bearer(bobToken) });
    expect(theirs.status).toBe(404);
    expect(JSON.stringify(theirs.body)).not.toContain(alice.accountId);
  });

  it("lists only the caller's own rows", async () => {
    const r = await api<unknown[]>('GET', '/api/transaction/me/histories?size=100', { headers: bearer(bobToken) });
    expect(r.status).toBe(200);
    expect(JSON.stringify(r.body)).not.toContain(alicePayment.transaction_id);
  });

  it('a customer cannot refund (admin only)', async () => {
    const r = await api('POST', '/api/payment/admin/refunds', { headers: bearer(bobToken), body: { transaction_id: alicePayment.transaction_id } });
    expect(r.status).toBe(403);
  });
});

describe('credentials where they do not belong', () => {
  it.each([
    ['GET', '/api/payment/balance'],
    ['GET', '/api/auth/me'],
    ['GET', '/api/transaction/me/histories'],
    ['POST', '/api/payment/admin/refunds'],
  ])('a regulator key on the user/admin route %s %s → 401', async (method, path) => {
    expect((await api(method, path, { headers: { 'x-api-key': apiKey }, body: method === 'POST' ? {} : undefined })).status).toBe(401);
    expect((await api(method, path, { headers: bearer(apiKey), body: method === 'POST' ? {} : undefined })).status).toBe(401);
  });

  it.each([
    '/api/transaction/histories',
    '/api/transaction/reports?from=2026-01-01&to=2026-12-31&granularity=day',
    '/api/transaction/histories/export?from=2026-01-01&to=2026-12-31',
  ])('a user token on the regulator route %s → 401', async (path) => {
    expect((await api('GET', path, { headers: bearer(aliceToken) })).status).toBe(401);
    const admin = accessTokenFor(p, { userId: alice.userId, username: alice.username, role: 'ADMIN' });
    expect((await api('GET', path, { headers: bearer(admin) })).status).toBe(401);
  });

  it('a regulator key in the query string is refused', async () => {
    const r = await api('GET', `/api/transaction/histories?api_key=${encodeURIComponent(apiKey)}`);
    expect([400, 401]).toContain(r.status);
  });
});

describe('the JWT attack list over HTTP', () => {
  const claims = () => ({ username: alice.username, role: 'ADMIN', typ: 'access' });
  const valid = () => jwt.decode(aliceToken, { complete: true })!;
  const forged: [string, () => string][] = [
    [
      'alg none',
      () =>
        jwt.sign(claims(), '', {
          algorithm: 'none',
          subject: String(alice.userId),
          issuer: 'one-gate-payment',
          audience: 'one-gate-payment-api',
          expiresIn: 600,
          jwtid: 'n',
        }),
    ],
    [
      'HS256 keyed with the published public key',
      () => {
        const kid = valid().header.kid!;
        const jwk = p.container.get(CORE.AccessTokens).jwks().keys[0]!;
        return jwt.sign(claims(), JSON.stringify(jwk), {
          algorithm: 'HS256',
          keyid: kid,
          subject: String(alice.userId),
          issuer: 'one-gate-payment',
          audience: 'one-gate-payment-api',
          expiresIn: 600,
          jwtid: 'h',
        });
      },
    ],
    [
      'signed by an attacker key with the real kid',
      () =>
        jwt.sign(claims(), generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey, {
          algorithm: 'ES256',
          keyid: valid().header.kid!,
          subject: String(alice.userId),
          issuer: 'one-gate-payment',
          audience: 'one-gate-payment-api',
          expiresIn: 600,
          jwtid: 'a',
        }),
    ],
    [
      'payload tampered (role ADMIN)',
      () => {
        const [h, b, s] = aliceToken.split('.');
        const body = { ...(JSON.parse(Buffer.from(b!, 'base64url').toString()) as object), role: 'ADMIN' };
        return `${h}.${Buffer.from(JSON.stringify(body)).toString('base64url')}.${s}`;
      },
    ],
    ['truncated signature', () => aliceToken.slice(0, -4)],
    ['empty', () => ''],
  ];
  it.each(forged)('%s → 401 on payment and transaction routes', async (_n, make) => {
    const token = make();
    for (const path of ['/api/payment/balance', '/api/transaction/me/histories', '/api/payment/admin/refunds']) {
      const r = await api(path.includes('refunds') ? 'POST' : 'GET', path, {
        headers: bearer(token),
        body: path.includes('refunds') ? { transaction_id: alicePayment.transaction_id } : undefined,
      });
      expect(r.status, `${path}`).toBe(401);
    }
  });
});

describe('personal data masked for regulators', () => {
  it('regulator rows carry neither the email nor the full phone', async () => {
    const r = await api('GET', `/api/transaction/histories/${alicePayment.transaction_id}`, { headers: { 'x-api-key': apiKey } });
    expect(r.status).toBe(200);
    const text = JSON.stringify(r.body);
    expect(text).not.toContain(alice.email);
    expect(text).not.toContain(alice.phone);
    expect(text).not.toContain(alice.phone.slice(3));
    expect(text).toContain(alice.phone.slice(-4));
  });
});

describe('secrets never reach the logs', () => {
  it('passwords, tokens and API keys are absent from every captured log line', async () => {
    const reg = newRegistration('sec');
    const ip = freshIp();
    expect((await api('POST', '/api/auth/register', { body: reg })).status).toBe(201);
    await api('POST', '/api/auth/login', { body: { username: reg.username, password: `${reg.password}-wrong` }, headers: { 'x-forwarded-for': ip } });
    const login = await api<{ access_token: string; refresh_token: string }>('POST', '/api/auth/login', {
      body: { username: reg.username, password: reg.password },
      headers: { 'x-forwarded-for': ip },
    });
    expect(login.status).toBe(200);
    const refreshed = await api<{ access_token: string; refresh_token: string }>('PUT', '/api/auth/refresh', {
      body: { refresh_token: login.body.data.refresh_token },
    });
    await api('GET', '/api/transaction/histories', { headers: { 'x-api-key': apiKey } });
    await api('GET', `/api/transaction/histories?api_key=${encodeURIComponent(apiKey)}`);
    await api('GET', '/api/transaction/histories', { headers: { 'x-api-key': `${apiKey}x` } });
    await new Promise((r) => setTimeout(r, 500));
    const logs = logLines.join('');
    expect(logs.length).toBeGreaterThan(1000);
    for (const secret of [
      reg.password,
      `${reg.password}-wrong`,
      login.body.data.access_token,
      login.body.data.refresh_token,
      refreshed.body.data.refresh_token,
      apiKey,
      apiKey.slice(-16),
    ]) {
      expect(logs.includes(secret), `a secret (${secret.slice(0, 6)}…) appeared in the logs`).toBe(false);
    }
  });
});
