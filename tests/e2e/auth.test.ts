import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type RunningPlatform } from '../../src/entrypoints/shared/platform.ts';
import { authModule } from '../../src/entrypoints/auth/auth.module.ts';
import { requireEnv, realServicesConfig } from '../support/services.ts';
import { client, cookiesFrom, freshIp, newRegistration } from '../support/auth-http.ts';

type Tokens = { access_token: string; refresh_token: string; token_type: string; expires_in: number; refresh_expires_in: number };

let p: RunningPlatform;
let api: ReturnType<typeof client>;
beforeAll(async () => {
  p = await startPlatform({ service: 'auth-service', modules: [authModule], config: realServicesConfig() });
  api = client(p);
});
afterAll(() => p?.stop());

async function registered(prefix = 'a') {
  const reg = newRegistration(prefix);
  const r = await api('POST', '/api/auth/register', { body: reg });
  expect(r.status).toBe(201);
  return { ...reg, id: (r.body.data as { id: number }).id };
}

async function login(identifier: string, password: string, ip = freshIp()) {
  return api<Tokens>('POST', '/api/auth/login', { body: { username: identifier, password }, headers: { 'X-Forwarded-For': ip } });
}

const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });

describe('POST /api/auth/register', () => {
  it('creates the user and its ACTIVE IDR account with 0.00, normalising phone and email, ignoring unknown fields', async () => {
    const reg = newRegistration();
    const r = await api('POST', '/api/auth/register', {
      body: { ...reg, phone: reg.phone.replace(/^0/, '+62'), role: 'ADMIN', balance: '1000000.00', account_status: 'SUSPENDED' },
    });
    expect(r.status).toBe(201);
    expect(r.body.meta).toMatchObject({ code: '201' });
    const data = r.body.data as Record<string, unknown>;
    expect(data).toMatchObject({ username: reg.username, email: reg.email.toLowerCase(), phone: reg.phone.replace(/^0/, '+62') });
    expect(data).not.toHaveProperty('password');
    expect(data.created_at).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
    expect(data.account).toMatchObject({ balance: '0.00', currency: 'IDR', account_status: 'ACTIVE' });
    expect((data.account as { id: string }).id).toMatch(/^[0-9a-f-]{36}$/);

    const t = await login(reg.username, reg.password);
    const me = await api('GET', '/api/auth/me', { headers: bearer(t.body.data.access_token) });
    expect(me.body.data).toMatchObject({ id: data.id, role: 'USER', account: { balance: '0.00', account_status: 'ACTIVE' } });
  });

  it('stores 08…, 628… and +628… all as +628…', async () => {
    for (const form of [(d: string) => `08${d}`, (d: string) => `628${d}`, (d: string) => `+62 8${d.slice(0, 3)}-${d.slice(3)}`]) {
      const reg = newRegistration();
      const digits = reg.phone.slice(2);
      const r = await api('POST', '/api/auth/register', { body: { ...reg, phone: form(digits) } });
      expect(r.status).toBe(201);
      expect((r.body.data as { phone: string }).phone).toBe(`+628${digits}`);
    }
  });

  it('answers 400 with every invalid field listed, and creates nothing', async () => {
    const r = await api('POST', '/api/auth/register', { body: { username: 'a!', email: 'not-an-email', phone: '+15551234567', password: 'short' } });
    expect(r.status).toBe(400);
    expect(r.body.meta.error).toBe('VALIDATION_ERROR');
    expect(r.body.meta.errors!.map((e) => e.field).sort()).toEqual(['email', 'password', 'phone', 'username']);
    expect(r.body.data).toBeNull();

    const missing = await api('POST', '/api/auth/register', { body: {} });
    expect(missing.status).toBe(400);
    expect(missing.body.meta.errors!.map((e) => e.field).sort()).toEqual(['email', 'password', 'phone', 'username']);

    const types = await api('POST', '/api/auth/register', { body: { ...newRegistration(), password: 12345678 } });
    expect(types.status).toBe(400);
    expect(types.body.meta.errors!.map((e) => e.field)).toEqual(['password']);

    const long = await api('POST', '/api/auth/register', { body: { ...newRegistration(), password: 'x'.repeat(129) } });
    expect(long.status).toBe(400);
    const longName = await api('POST', '/api/auth/register', { body: { ...newRegistration(), username: 'u'.repeat(51) } });
    expect(longName.status).toBe(400);
  });

  it('answers 409 naming the duplicate field: username (any case), email (any case), phone (any format)', async () => {
    const first = await registered('dup');
    const cases: [string, Record<string, string>][] = [
      ['username', { username: first.username.toUpperCase() }],
      ['email', { email: first.email.toUpperCase() }],
      ['phone', { phone: first.phone.replace(/^0/, '62') }],
    ];
    for (const [field, override] of cases) {
      const r = await api('POST', '/api/auth/register', { body: { ...newRegistration('dup'), ...override } });
      expect(r.status, field).toBe(409);
      expect(r.body.meta.error).toBe(`${field.toUpperCase()}_ALREADY_EXISTS`);
      expect(r.body.meta.message).toContain(field);
      expect(r.body.meta.message).toBe(`${field} is already registered`);
      expect(r.body.meta).not.toHaveProperty('errors');
    }
  });

  it('lets exactly one of two concurrent registrations of one username through: 201 and 409, never 500', async () => {
    for (let round = 0; round < 3; round++) {
      const a = newRegistration('race');
      const b = { ...newRegistration('race'), username: a.username };
      const results = await Promise.all([api('POST', '/api/auth/register', { body: a }), api('POST', '/api/auth/register', { body: b })]);
      expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
      expect(results.find((r) => r.status === 409)!.body.meta.error).toBe('USERNAME_ALREADY_EXISTS');
    }
  });

  it('writes user.registered to the outbox in the same transaction', async () => {
    const u = await registered();
    const rows = (await p.infra.orm.em
      .fork()
      .execute(`select event_type, payload from outbox_events where topic = 'user-events' and event_key = ?`, [String(u.id)])) as {
      event_type: string;
      payload: { payload: Record<string, unknown> };
    }[];
    expect(rows.map((r) => r.event_type)).toContain('user.registered');
    expect(rows.find((r) => r.event_type === 'user.registered')!.payload.payload).toMatchObject({ user_id: u.id, username: u.username });
  });
});

describe('POST /api/auth/login', () => {
  it('logs in by username, email or phone, with the token pair and two HttpOnly SameSite=Strict Secure cookies', async () => {
    const u = await registered();
    for (const identifier of [u.username, u.email.toUpperCase(), u.phone, u.phone.replace(/^0/, '+62')]) {
      const r = await login(identifier, u.password);
      expect(r.status, identifier).toBe(200);
      expect(r.body.data).toMatchObject({ token_type: 'Bearer', expires_in: 900, refresh_expires_in: 604800 });
      expect(r.body.data.access_token.split('.')).toHaveLength(3);
      expect(r.body.data.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const setCookies = r.headers.getSetCookie();
      expect(setCookies).toHaveLength(2);
      const cookies = cookiesFrom(r.headers);
      expect(cookies['auth-token']!.value).toBe(r.body.data.access_token);
      expect(cookies['refresh-token']!.value).toBe(r.body.data.refresh_token);
      for (const c of setCookies) {
        expect(c).toContain('HttpOnly');
        expect(c).toContain('SameSite=Strict');
        expect(c).toContain('Secure');
      }
      expect(cookies['refresh-token']!.raw).toContain('Path=/api/auth');
    }
  });

  it('answers a wrong password and an unknown user with the same 401 INVALID_CREDENTIALS', async () => {
    const u = await registered();
    const wrong = await login(u.username, 'not the password');
    const unknown = await login(`nobody_${u.username}`, 'not the password');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const strip = (b: typeof wrong.body) => ({ ...b, meta: { ...b.meta, request_id: undefined } });
    expect(strip(wrong.body)).toEqual(strip(unknown.body));
    expect(wrong.body.meta.error).toBe('INVALID_CREDENTIALS');
    expect(wrong.headers.getSetCookie()).toHaveLength(0);
  });

  it('answers 400 for a missing or oversized password without checking it', async () => {
    const u = await registered();
    expect((await api('POST', '/api/auth/login', { body: { username: u.username } })).status).toBe(400);
    expect((await api('POST', '/api/auth/login', { body: { username: u.username, password: 'x'.repeat(129) } })).status).toBe(400);
  });

  it('locks an account after 5 failures (429 + Retry-After, even with the right password), and records each failure', async () => {
    const u = await registered('lock');
    const ip = freshIp();
    for (let i = 0; i < 5; i++) expect((await login(u.username, `wrong-${i}-password`, ip)).status).toBe(401);
    const locked = await login(u.username, u.password, ip);
    expect(locked.status).toBe(429);
    expect(locked.body.meta.error).toBe('TOO_MANY_LOGIN_ATTEMPTS');
    const retry = Number(locked.headers.get('retry-after'));
    expect(retry).toBeGreaterThan(800);
    expect(retry).toBeLessThanOrEqual(900);
    // The account is locked for an IP it never logged in from, too (email counts as the same account).
    expect((await login(u.email, u.password, freshIp())).status).toBe(429);
    const rows = (await p.infra.orm.em
      .fork()
      .execute(`select count(*)::int as n from outbox_events where event_type = 'user.login_failed' and event_key = ?`, [String(u.id)])) as { n: number }[];
    expect(rows[0]!.n).toBe(5);
  });

  it('does not lock the owner out at an IP they logged in from before', async () => {
    const u = await registered('owner');
    const home = freshIp();
    expect((await login(u.username, u.password, home)).status).toBe(200);
    const attacker = freshIp();
    for (let i = 0; i < 5; i++) expect((await login(u.username, `guess-${i}-password`, attacker)).status).toBe(401);
    expect((await login(u.username, u.password, attacker)).status).toBe(429);
    expect((await login(u.username, u.password, freshIp())).status).toBe(429);
    expect((await login(u.username, u.password, home)).status).toBe(200);
  });

  it('locks unknown identifiers the same way (no enumeration through the lockout)', async () => {
    const ip = freshIp();
    const name = `ghost_${Date.now().toString(36)}`;
    for (let i = 0; i < 5; i++) expect((await login(name, 'whatever-password', ip)).status).toBe(401);
    expect((await login(name, 'whatever-password', ip)).status).toBe(429);
  });

  it('resets the failure count on success', async () => {
    const u = await registered('reset');
    const ip = freshIp();
    for (let i = 0; i < 4; i++) expect((await login(u.username, 'wrong-password', ip)).status).toBe(401);
    expect((await login(u.username, u.password, ip)).status).toBe(200);
    for (let i = 0; i < 4; i++) expect((await login(u.username, 'wrong-password', ip)).status).toBe(401);
    expect((await login(u.username, u.password, ip)).status).toBe(200);
  });

  it('lets no more than 5 of a parallel burst of guesses be checked', async () => {
    const u = await registered('burst');
    const ip = freshIp();
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => login(u.username, `burst-${i}-password`, ip)));
    expect(results.filter((r) => r.status === 401)).toHaveLength(5);
    expect(results.filter((r) => r.status === 429)).toHaveLength(7);
  });
});

describe('PUT /api/auth/refresh', () => {
  it('rotates: a new access token and a new refresh token, cookies reset', async () => {
    const u = await registered();
    const first = (await login(u.username, u.password)).body.data;
    const r = await api<Tokens>('PUT', '/api/auth/refresh', { body: { refresh_token: first.refresh_token } });
    expect(r.status).toBe(200);
    expect(r.body.data).toMatchObject({ token_type: 'Bearer', expires_in: 900, refresh_expires_in: 604800 });
    expect(r.body.data.refresh_token).not.toBe(first.refresh_token);
    expect(r.body.data.access_token).not.toBe(first.access_token);
    const cookies = cookiesFrom(r.headers);
    expect(cookies['auth-token']!.value).toBe(r.body.data.access_token);
    expect(cookies['refresh-token']!.value).toBe(r.body.data.refresh_token);
    expect((await api('GET', '/api/auth/me', { headers: bearer(r.body.data.access_token) })).status).toBe(200);
  });

  it('answers REFRESH_TOKEN_REUSED for a used token and revokes the family: the newer token and its access token die too', async () => {
    const u = await registered();
    const first = (await login(u.username, u.password)).body.data;
    const second = (await api<Tokens>('PUT', '/api/auth/refresh', { body: { refresh_token: first.refresh_token } })).body.data;
    const reuse = await api('PUT', '/api/auth/refresh', { body: { refresh_token: first.refresh_token } });
    expect(reuse.status).toBe(401);
    expect(reuse.body.meta.error).toBe('REFRESH_TOKEN_REUSED');
    const other = await api('PUT', '/api/auth/refresh', { body: { refresh_token: second.refresh_token } });
    expect(other.status).toBe(401);
    expect(other.body.meta.error).toBe('INVALID_REFRESH_TOKEN');
    expect((await api('GET', '/api/auth/me', { headers: bearer(second.access_token) })).status).toBe(401);
    // Another session of the same user is untouched.
    const again = (await login(u.username, u.password)).body.data;
    expect((await api('PUT', '/api/auth/refresh', { body: { refresh_token: again.refresh_token } })).status).toBe(200);
  });

  it('lets one of two concurrent refreshes with the same token win', async () => {
    const u = await registered();
    const t = (await login(u.username, u.password)).body.data;
    const results = await Promise.all([0, 1].map(() => api('PUT', '/api/auth/refresh', { body: { refresh_token: t.refresh_token } })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
    expect(results.find((r) => r.status === 401)!.body.meta.error).toBe('REFRESH_TOKEN_REUSED');
  });

  it('refreshes from the refresh-token cookie alone', async () => {
    const u = await registered();
    const t = (await login(u.username, u.password)).body.data;
    const r = await api<Tokens>('PUT', '/api/auth/refresh', { headers: { Cookie: `refresh-token=${t.refresh_token}`, 'Sec-Fetch-Site': 'same-origin' } });
    expect(r.status).toBe(200);
    expect(r.headers.getSetCookie()).toHaveLength(2);
  });

  it('still refreshes after every auth key in Redis is gone (PostgreSQL holds the truth)', async () => {
    const u = await registered();
    const t = (await login(u.username, u.password)).body.data;
    const redis = new Redis(requireEnv('TEST_REDIS_URL'));
    try {
      // Not FLUSHDB: other suites share this Redis database; every key this service writes is under ogp:auth:.
      let cursor = '0';
      let deleted = 0;
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', 'ogp:auth:*', 'COUNT', 1000);
        cursor = next;
        if (keys.length) deleted += await redis.del(...keys);
      } while (cursor !== '0');
      expect(deleted).toBeGreaterThan(0);
      expect(await redis.keys('ogp:auth:*')).toEqual([]);
    } finally {
      redis.disconnect();
    }
    const r = await api<Tokens>('PUT', '/api/auth/refresh', { body: { refresh_token: t.refresh_token } });
    expect(r.status).toBe(200);
    expect((await api('PUT', '/api/auth/refresh', { body: { refresh_token: t.refresh_token } })).body.meta.error).toBe('REFRESH_TOKEN_REUSED');
  });

  it('answers 401 without a token, or with an unknown one', async () => {
    const none = await api('PUT', '/api/auth/refresh');
    expect(none.status).toBe(401);
    expect(none.body.meta.error).toBe('REFRESH_TOKEN_REQUIRED');
    const unknown = await api('PUT', '/api/auth/refresh', { body: { refresh_token: 'x'.repeat(43) } });
    expect(unknown.status).toBe(401);
    expect(unknown.body.meta.error).toBe('INVALID_REFRESH_TOKEN');
    const access = await api('PUT', '/api/auth/refresh', {
      body: { refresh_token: (await login((await registered()).username, 'correct horse battery')).body.data.access_token },
    });
    expect(access.status).toBe(401);
  });
});

describe('DELETE /api/auth/logout and GET /api/auth/me', () => {
  it('kills the access token at once, revokes the refresh family and clears the cookies', async () => {
    const u = await registered();
    const t = (await login(u.username, u.password)).body.data;
    expect((await api('GET', '/api/auth/me', { headers: bearer(t.access_token) })).status).toBe(200);
    const out = await api('DELETE', '/api/auth/logout', { headers: bearer(t.access_token) });
    expect(out.status).toBe(200);
    expect(out.body.meta.code).toBe('200');
    const cleared = out.headers.getSetCookie();
    expect(cleared).toHaveLength(2);
    for (const c of cleared) expect(c).toMatch(/Max-Age=0/);
    const me = await api('GET', '/api/auth/me', { headers: bearer(t.access_token) });
    expect(me.status).toBe(401);
    expect(me.body.meta.error).toBe('INVALID_TOKEN');
    expect((await api('PUT', '/api/auth/refresh', { body: { refresh_token: t.refresh_token } })).status).toBe(401);
  });

  it('works for cookie-only clients: me, refresh and logout with no Authorization header', async () => {
    const u = await registered();
    const loginRes = await login(u.username, u.password);
    let jar = cookiesFrom(loginRes.headers);
    // What a browser sends from our own page: the cookies and Sec-Fetch-Site (cookie writes need it).
    const cookie = () => ({ Cookie: `auth-token=${jar['auth-token']!.value}; refresh-token=${jar['refresh-token']!.value}`, 'Sec-Fetch-Site': 'same-origin' });
    const me = await api('GET', '/api/auth/me', { headers: cookie() });
    expect(me.status).toBe(200);
    expect(me.body.data).toMatchObject({ username: u.username, email: u.email.toLowerCase(), role: 'USER' });
    const refreshed = await api('PUT', '/api/auth/refresh', { headers: cookie() });
    expect(refreshed.status).toBe(200);
    jar = cookiesFrom(refreshed.headers);
    const out = await api('DELETE', '/api/auth/logout', { headers: cookie() });
    expect(out.status).toBe(200);
    expect((await api('GET', '/api/auth/me', { headers: cookie() })).status).toBe(401);
    expect((await api('PUT', '/api/auth/refresh', { headers: cookie() })).status).toBe(401);
  });

  it('revokes the family named by a refresh token in the body, but never another user’s', async () => {
    const a = await registered();
    const b = await registered();
    const ta = (await login(a.username, a.password)).body.data;
    const tb = (await login(b.username, b.password)).body.data;
    const out = await api('DELETE', '/api/auth/logout', { headers: bearer(ta.access_token), body: { refresh_token: tb.refresh_token } });
    expect(out.status).toBe(200);
    expect((await api('PUT', '/api/auth/refresh', { body: { refresh_token: tb.refresh_token } })).status).toBe(200);
    expect((await api('PUT', '/api/auth/refresh', { body: { refresh_token: ta.refresh_token } })).status).toBe(401);
  });

  it('answers 401 without an access token, or with a forged one', async () => {
    expect((await api('DELETE', '/api/auth/logout')).status).toBe(401);
    const me = await api('GET', '/api/auth/me');
    expect(me.status).toBe(401);
    expect(me.body.meta.error).toBe('UNAUTHENTICATED');
    expect((await api('GET', '/api/auth/me', { headers: bearer('eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.') })).status).toBe(401);
  });
});

describe('GET /api/auth/.well-known/jwks.json and the OpenAPI document', () => {
  it('publishes the public keys (no private parts) as a JWK set', async () => {
    const r = await fetch(`${p.url}/api/auth/.well-known/jwks.json`);
    expect(r.status).toBe(200);
    const jwks = (await r.json()) as { keys: Record<string, string>[] };
    expect(jwks.keys.length).toBeGreaterThan(0);
    for (const k of jwks.keys) {
      expect(k).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
      expect(k.kid).toBeTruthy();
      expect(k).not.toHaveProperty('d');
    }
  });

  it('documents every /api/auth route', async () => {
    const doc = (await (await fetch(`${p.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths['/api/auth/register']!)).toEqual(['post']);
    expect(Object.keys(doc.paths['/api/auth/login']!)).toEqual(['post']);
    expect(Object.keys(doc.paths['/api/auth/refresh']!)).toEqual(['put']);
    expect(Object.keys(doc.paths['/api/auth/logout']!)).toEqual(['delete']);
    expect(Object.keys(doc.paths['/api/auth/me']!)).toEqual(['get']);
    expect(Object.keys(doc.paths['/api/auth/.well-known/jwks.json']!)).toEqual(['get']);
  });
});

describe('with Redis unreachable', () => {
  it('login answers 503 (fails closed), never 500; refresh still works from PostgreSQL', async () => {
    const u = await registered('noredis');
    const t = (await login(u.username, u.password)).body.data;
    const down = await startPlatform({ service: 'auth-service', modules: [authModule], config: realServicesConfig({ REDIS_URL: 'redis://127.0.0.1:1/0' }) });
    try {
      const api2 = client(down);
      const r = await api2('POST', '/api/auth/login', { body: { username: u.username, password: u.password } });
      expect(r.status).toBe(503);
      expect(r.body.meta.error).toBe('SESSION_STORE_UNAVAILABLE');
      const refreshed = await api2<Tokens>('PUT', '/api/auth/refresh', { body: { refresh_token: t.refresh_token } });
      expect(refreshed.status).toBe(200);
      // Verifying an access token needs the deny list: it fails closed too.
      expect((await api2('GET', '/api/auth/me', { headers: bearer(refreshed.body.data.access_token) })).status).toBe(503);
    } finally {
      await down.stop();
    }
  });
});
