import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allModules } from '../../src/entrypoints/all-in-one/modules.ts';
import { startPlatform, type RunningPlatform } from '../../src/entrypoints/shared/platform.ts';
import { freshIp, newRegistration } from '../support/auth-http.ts';
import { createUser, type TestUser } from '../support/fixtures.ts';
import { realServicesConfig } from '../support/services.ts';
import { accessTokenFor } from '../support/tokens.ts';
import { createTxUser, insertTx, issueTestKey, type TxUser } from '../support/transaction-fixtures.ts';

// Issue 10, items 3, 4, 7 and 8, against the real services: input that used to reach PostgreSQL
// and answer 500/503 (unbounded dates, loose cursors, U+0000), JSON-number amounts rounded instead
// of refused, and cookie-authenticated writes from other sites. tests/e2e/fuzz.test.ts searches
// the same classes with generators; tests/unit/edge-input.test.ts checks each guard alone.
const ALLOWED_ORIGIN = 'https://app.example.test';
let p: RunningPlatform;
let payer: TestUser;
let payee: TestUser;
let token: string;
let reader: TxUser;
let readerToken: string;
let apiKey: string;

beforeAll(async () => {
  p = await startPlatform({ service: 'all-in-one', modules: allModules, config: realServicesConfig({ ALLOWED_ORIGINS: ALLOWED_ORIGIN }) });
  payer = await createUser(p.infra.orm, { balance: '1000000.00' });
  payee = await createUser(p.infra.orm);
  token = accessTokenFor(p, { userId: payer.userId, username: payer.username });
  reader = await createTxUser(p.infra.orm);
  for (let i = 0; i < 3; i++) await insertTx(p.infra.orm, reader, { createdAt: new Date(Date.now() - i * 1000) });
  readerToken = accessTokenFor(p, { userId: reader.userId, username: reader.username });
  apiKey = (await issueTestKey(p.infra.orm, { permissions: ['READ_TRANSACTIONS', 'READ_REPORTS'] })).key;
});
afterAll(() => p?.stop());

interface Answer {
  status: number;
  headers: Headers;
  body: { meta: { code: string; error?: string; errors?: { field: string }[]; next_cursor?: string | null }; data: unknown };
}

/** Sends `body` byte for byte (a string is not re-encoded), so that number source texts and escapes reach the server as written. */
async function send(method: string, path: string, opts: { body?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const r = await fetch(`${p.url}${path}`, {
    method,
    headers: { ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers },
    body: opts.body,
  });
  const text = await r.text();
  return { status: r.status, headers: r.headers, body: JSON.parse(text) };
}
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const regulator = () => ({ 'x-api-key': apiKey });

async function balance(u: TestUser): Promise<string> {
  const [r] = (await p.infra.orm.em.getConnection().execute(`select balance::text as b from accounts where id = ?`, [u.accountId])) as [{ b: string }];
  return r.b;
}
async function moneyRows(): Promise<string> {
  return JSON.stringify([await balance(payer), await balance(payee)]);
}
const transfer = (amount: string, extra = '') => `{"recipient":"${payee.username}","amount":${amount}${extra}}`;

describe('item 3: dates are bounded (1970–9999) and cursors strictly parsed, 400 instead of 500', () => {
  const looseCursor = Buffer.from(JSON.stringify(['1', '0b7e4c5a-9a77-4d7e-8f0e-3f4c2b1a0d9e'])).toString('base64url');
  const userRoutes = ['/api/transaction/me/histories'];
  it.each([
    ['from=0000-01-01', 'from'],
    ['to=0000-01-01', 'to'],
    ['from=1969-12-31', 'from'],
    ['to=10000-01-01', 'to'],
    ['from=2026-01-01T24:00:00Z', 'from'],
    ['from=%2B275760-09-13T00:00:00Z', 'from'],
  ])('user histories ?%s → 400 naming the field', async (qs, field) => {
    for (const route of userRoutes) {
      const r = await send('GET', `${route}?${qs}`, { headers: bearer(readerToken) });
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      expect(r.body.meta.errors?.map((e) => e.field)).toContain(field);
    }
  });

  it('the bounds themselves are accepted: 1970-01-01 to 9999-12-31, as dates and as date-times', async () => {
    for (const qs of ['from=1970-01-01&to=9999-12-31', 'from=1970-01-01T00:00:00Z&to=9999-12-31T23:59:59.999999Z']) {
      const r = await send('GET', `/api/transaction/me/histories?${qs}`, { headers: bearer(readerToken) });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect((r.body.data as unknown[]).length).toBe(3);
    }
  });

  it('a cursor the API issued pages on; a loose one is 400 INVALID_CURSOR', async () => {
    const first = await send('GET', '/api/transaction/me/histories?cursor=&size=2', { headers: bearer(readerToken) });
    expect(first.status).toBe(200);
    const next = first.body.meta.next_cursor!;
    expect(next).toEqual(expect.any(String));
    const second = await send('GET', `/api/transaction/me/histories?cursor=${next}&size=2`, { headers: bearer(readerToken) });
    expect(second.status).toBe(200);
    expect((second.body.data as unknown[]).length).toBe(1);
    for (const bad of [looseCursor, `${next}=`, `${next}A`, next.toLowerCase()]) {
      const r = await send('GET', `/api/transaction/me/histories?cursor=${encodeURIComponent(bad)}`, { headers: bearer(readerToken) });
      expect(r.status, bad).toBe(400);
      expect(r.body.meta.error).toBe('INVALID_CURSOR');
    }
  });

  it.each([
    '/api/transaction/histories?from=0000-01-01',
    '/api/transaction/histories?to=0000-01-01',
    `/api/transaction/histories?cursor=${looseCursor}`,
    '/api/transaction/histories/export?from=0000-01-01&to=2026-01-01',
    '/api/transaction/histories/export?from=2026-01-01&to=0000-01-01',
    '/api/transaction/reports?from=0000-01-01&to=2026-01-01',
    '/api/transaction/reports?from=2026-01-01&to=10000-01-01',
  ])('regulator %s → 400', async (path) => {
    const r = await send('GET', path, { headers: regulator() });
    expect(r.status, JSON.stringify(r.body)).toBe(400);
  });

  it('regulator routes accept the bounds', async () => {
    // Narrow ranges at each end: the regulator routes see every suite's rows in the shared database.
    for (const path of [
      '/api/transaction/histories?from=1970-01-01&to=1970-01-02',
      '/api/transaction/histories?from=9999-12-30&to=9999-12-31T23:59:59.999999Z',
      '/api/transaction/reports?from=1970-01-01&to=1970-01-31',
      '/api/transaction/reports?from=9999-12-01&to=9999-12-31&granularity=month',
    ]) {
      const r = await send('GET', path, { headers: regulator() });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    }
    for (const range of ['from=1970-01-01&to=1970-01-02', 'from=9999-12-30&to=9999-12-31']) {
      const exp = await fetch(`${p.url}/api/transaction/histories/export?${range}`, { headers: regulator() });
      expect(exp.status).toBe(200);
      await exp.text();
    }
  });
});

describe('item 4: U+0000 and lone surrogates are 400 at the edge, never 503', () => {
  it('login with a NUL in the username → 400 UNSUPPORTED_CHARACTER, no Retry-After', async () => {
    const r = await send('POST', '/api/auth/login', { body: '{"username":"abc\\u0000","password":"x"}' });
    expect(r.status).toBe(400);
    expect(r.body.meta.error).toBe('UNSUPPORTED_CHARACTER');
    expect(r.headers.get('retry-after')).toBeNull();
  });

  it.each([
    ['a NUL in the transfer recipient', `{"recipient":"${'x'}\\u0000","amount":"10000.00"}`],
    ['a NUL in a payment description', '{"amount":"10000.00","description":"lunch\\u0000"}'],
    ['a lone surrogate in a description', '{"amount":"10000.00","description":"\\ud800"}'],
    ['a NUL in a key', '{"amount":"10000.00","a\\u0000":1}'],
  ])('%s → 400, nothing moves', async (_n, body) => {
    const before = await moneyRows();
    const path = body.includes('recipient') ? '/api/payment/transfers' : '/api/payment/payments';
    const r = await send('POST', path, { headers: bearer(token), body: body.replace('{', `{"merchant_id":"EDGE-1",`) });
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body.meta.error).toBe('UNSUPPORTED_CHARACTER');
    expect(await moneyRows()).toBe(before);
  });

  it.each([
    '/api/transaction/me/histories/%00',
    '/api/payment/transactions/%00',
    '/api/transaction/me/histories?type=%00',
    '/api/transaction/me/histories?x%00=1',
    '/api/payment/transactions/abc%00def',
  ])('path or query %s → 400', async (path) => {
    const r = await send('GET', path, { headers: bearer(token) });
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body.meta.error).toBe('UNSUPPORTED_CHARACTER');
  });

  it('unauthenticated too: a NUL is refused before any lookup', async () => {
    const r = await send('POST', '/api/auth/register', { body: '{"username":"\\u0000","email":"a@b.c","phone":"081234567890","password":"correct horse"}' });
    expect(r.status).toBe(400);
  });

  it('JSON nested 200,000 deep is 400 JSON_TOO_DEEP (the reviver walk is bounded too)', async () => {
    const r = await send('POST', '/api/payment/payments', { headers: bearer(token), body: `${'['.repeat(200_000)}1${']'.repeat(200_000)}` });
    expect(r.status).toBe(400);
    expect(r.body.meta.error).toBe('JSON_TOO_DEEP');
  });

  it('invalid UTF-8 in a body is 400, not silently replaced', async () => {
    const r = await fetch(`${p.url}/api/payment/payments`, {
      method: 'POST',
      headers: { ...bearer(token), 'content-type': 'application/json' },
      body: Buffer.concat([Buffer.from('{"amount":"10000.00","merchant_id":"EDGE-1","description":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]),
    });
    expect(r.status).toBe(400);
  });
});

describe('item 7: JSON-number amounts are validated on their source text', () => {
  it.each(['10000.0000000000000001', '0.29999999999999999', '10000.001', '1e4', '10000.000'])('{"amount":%s} → 400, nothing moves', async (amount) => {
    const before = await moneyRows();
    const r = await send('POST', '/api/payment/transfers', { headers: bearer(token), body: transfer(amount) });
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body.meta.errors?.map((e) => e.field)).toContain('amount');
    expect(await moneyRows()).toBe(before);
  });

  it.each([
    ['10000', '10000.00'],
    ['10000.5', '10000.50'],
    ['10000.50', '10000.50'],
  ])('{"amount":%s} as a JSON number → 201 moving exactly %s', async (amount, expected) => {
    const before = await balance(payer);
    const r = await send('POST', '/api/payment/transfers', { headers: bearer(token), body: transfer(amount) });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect((r.body.data as { amount: string }).amount).toBe(expected);
    const moved = Math.round(Number(before) * 100) - Math.round(Number(await balance(payer)) * 100);
    expect(moved).toBe(Math.round(Number(expected) * 100));
  });

  it('an Idempotency-Key replay of a JSON-number body still replays (the key hashes the number text)', async () => {
    const headers = { ...bearer(token), 'idempotency-key': `edge-${Date.now()}` };
    const first = await send('POST', '/api/payment/transfers', { headers, body: transfer('10000.50') });
    expect(first.status).toBe(201);
    const again = await send('POST', '/api/payment/transfers', { headers, body: transfer('10000.50') });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
  });
});

describe('item 8: JSON bodies only, and cookie-authenticated writes only from our own pages', () => {
  const cookie = () => ({ cookie: `auth-token=${token}` });

  it.each([
    'text/plain; charset=json',
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/json; charset=latin1',
  ])('Content-Type %s → 415', async (type) => {
    const before = await moneyRows();
    const r = await send('POST', '/api/payment/transfers', { headers: { ...bearer(token), 'content-type': type }, body: transfer('10000') });
    expect(r.status).toBe(415);
    expect(r.body.meta.error).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(await moneyRows()).toBe(before);
  });

  it('a body without a Content-Type → 415', async () => {
    const r = await fetch(`${p.url}/api/payment/transfers`, { method: 'POST', headers: bearer(token), body: new Uint8Array(Buffer.from(transfer('10000'))) });
    expect(r.status).toBe(415);
  });

  it('application/*+json is JSON', async () => {
    const r = await send('POST', '/api/payment/transfers', {
      headers: { ...bearer(token), 'content-type': 'application/vnd.onegate+json; charset=utf-8' },
      body: transfer('10000'),
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  });

  it('the reproduction: a cookie-only transfer as text/plain from a foreign Origin is refused (403 ORIGIN_NOT_ALLOWED), nothing moves', async () => {
    const before = await moneyRows();
    const r = await send('POST', '/api/payment/transfers', {
      headers: { ...cookie(), 'content-type': 'text/plain; charset=json', origin: 'https://evil.example' },
      body: transfer('10000'),
    });
    expect(r.status).toBe(403);
    expect(r.body.meta.error).toBe('ORIGIN_NOT_ALLOWED');
    expect(await moneyRows()).toBe(before);
  });

  it.each([
    ['a foreign Origin', { origin: 'https://evil.example' }],
    ['Origin: null (sandboxed frame)', { origin: 'null' }],
    ['a sibling site', { 'sec-fetch-site': 'same-site', origin: 'https://other.example.test' }],
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
  ])('cookie write with %s → 403, nothing moves', async (_n, headers) => {
    const before = await moneyRows();
    const r = await send('POST', '/api/payment/transfers', { headers: { ...cookie(), ...headers }, body: transfer('10000') });
    expect(r.status).toBe(403);
    expect(r.body.meta.error).toBe('ORIGIN_NOT_ALLOWED');
    expect(await moneyRows()).toBe(before);
  });

  it.each([
    ['Sec-Fetch-Site: same-origin', { 'sec-fetch-site': 'same-origin' }],
    ['Sec-Fetch-Site: none', { 'sec-fetch-site': 'none' }],
    ['an Origin naming this host', () => ({ origin: new URL(p.url).origin })],
    ['an Origin in ALLOWED_ORIGINS', { origin: ALLOWED_ORIGIN, 'sec-fetch-site': 'same-site' }],
    // No browser sends neither: a server-side client (a backend-for-frontend forwarding the cookie).
    ['neither header (a server-side client)', {}],
  ])('cookie write with %s → 201', async (_n, headers) => {
    const h = typeof headers === 'function' ? headers() : headers;
    const r = await send('POST', '/api/payment/transfers', { headers: { ...cookie(), ...h }, body: transfer('10000') });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  });

  it('bearer writes are unaffected by a foreign Origin (a cookie alongside changes nothing)', async () => {
    const r = await send('POST', '/api/payment/transfers', {
      headers: { ...bearer(token), ...cookie(), origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      body: transfer('10000'),
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  });

  it('API-key requests and cookie reads are unaffected', async () => {
    expect((await send('GET', '/api/transaction/histories', { headers: { ...regulator(), ...cookie(), origin: 'https://evil.example' } })).status).toBe(200);
    expect((await send('GET', '/api/payment/balance', { headers: { ...cookie(), origin: 'https://evil.example' } })).status).toBe(200);
  });

  it('refresh and logout by cookie from a foreign site are refused and leave the session working', async () => {
    const refresh = await send('PUT', '/api/auth/refresh', { headers: { cookie: 'refresh-token=whatever', origin: 'https://evil.example' } });
    expect(refresh.status).toBe(403);
    const logout = await send('DELETE', '/api/auth/logout', { headers: { ...cookie(), origin: 'https://evil.example' } });
    expect(logout.status).toBe(403);
    expect((await send('GET', '/api/payment/balance', { headers: bearer(token) })).status).toBe(200);
  });

  it('the session cookies stay SameSite=Strict and HttpOnly (the second layer)', async () => {
    const reg = newRegistration('edge');
    const headers = { 'x-forwarded-for': freshIp() };
    expect((await send('POST', '/api/auth/register', { headers, body: JSON.stringify(reg) })).status).toBe(201);
    const login = await send('POST', '/api/auth/login', { headers, body: JSON.stringify({ username: reg.username, password: reg.password }) });
    expect(login.status).toBe(200);
    const cookies = login.headers.getSetCookie();
    expect(cookies).toHaveLength(2);
    for (const c of cookies) expect(c).toMatch(/; HttpOnly(; Secure)?; SameSite=Strict$/);
  });
});
