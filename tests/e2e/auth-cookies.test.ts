import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type RunningPlatform } from '../../src/entrypoints/shared/platform.ts';
import { authModule } from '../../src/entrypoints/auth/auth.module.ts';
import { loadConfig } from '../../src/entrypoints/shared/config.ts';
import { realServicesConfig } from '../support/services.ts';
import { client, cookiesFrom, freshIp, newRegistration } from '../support/auth-http.ts';

/*
 * Cookies a web client can use (issue 11, item 4): the original Next.js client's middleware checks
 * `auth-token` on its own page routes, so it travels on Path=/ by default; refresh-token stays on
 * /api/auth. Path, Domain and SameSite are configurable, and logout clears with the same attributes.
 */

const attributes = (raw: string) =>
  Object.fromEntries(
    raw
      .split(';')
      .slice(1)
      .map((a) => a.trim().split('=') as [string, string?])
      .map(([k, v]) => [k.toLowerCase(), v ?? true]),
  );

async function loginAndLogout(p: RunningPlatform) {
  const api = client(p);
  const reg = newRegistration('ck');
  expect((await api('POST', '/api/auth/register', { body: reg })).status).toBe(201);
  const ip = freshIp();
  const login = await api('POST', '/api/auth/login', { body: { username: reg.username, password: reg.password }, headers: { 'X-Forwarded-For': ip } });
  expect(login.status).toBe(200);
  const set = cookiesFrom(login.headers);
  // A cookie-only client (a browser or a backend-for-frontend forwarding the Cookie header).
  const cookie = `auth-token=${set['auth-token']!.value}; refresh-token=${set['refresh-token']!.value}`;
  expect((await api('GET', '/api/auth/me', { headers: { Cookie: cookie } })).status).toBe(200);
  // As a browser sends it from the client's own page (cookie writes need it: src/adapters/http/cross-site.ts).
  const out = await api('DELETE', '/api/auth/logout', { headers: { Cookie: cookie, 'X-Forwarded-For': ip, 'Sec-Fetch-Site': 'same-origin' } });
  expect(out.status).toBe(200);
  return { set, cleared: cookiesFrom(out.headers) };
}

describe('session cookies by default', () => {
  let p: RunningPlatform;
  beforeAll(async () => {
    p = await startPlatform({ service: 'auth-service', modules: [authModule], config: realServicesConfig() });
  });
  afterAll(() => p?.stop());

  it('auth-token on Path=/ (page routes see it), refresh-token on /api/auth, host-only, HttpOnly, SameSite=Strict; logout clears both on the same paths', async () => {
    const { set, cleared } = await loginAndLogout(p);
    const access = attributes(set['auth-token']!.raw);
    const refresh = attributes(set['refresh-token']!.raw);
    expect(access).toMatchObject({ path: '/', httponly: true, samesite: 'Strict', 'max-age': '900' });
    expect(refresh).toMatchObject({ path: '/api/auth', httponly: true, samesite: 'Strict', 'max-age': '604800' });
    expect(access).not.toHaveProperty('domain');
    expect(refresh).not.toHaveProperty('domain');
    expect(attributes(cleared['auth-token']!.raw)).toMatchObject({ path: '/', 'max-age': '0' });
    expect(attributes(cleared['refresh-token']!.raw)).toMatchObject({ path: '/api/auth', 'max-age': '0' });
    expect(cleared['auth-token']!.value).toBe('');
  });
});

describe('session cookies configured', () => {
  let p: RunningPlatform;
  beforeAll(async () => {
    const config = realServicesConfig({
      AUTH_COOKIE_PATH: '/app',
      REFRESH_COOKIE_PATH: '/app/api/auth',
      COOKIE_DOMAIN: 'onegate.example',
      COOKIE_SAMESITE: 'Lax',
      COOKIE_SECURE: 'true',
    });
    p = await startPlatform({ service: 'auth-service', modules: [authModule], config });
  });
  afterAll(() => p?.stop());

  it('carry the configured Path, Domain and SameSite, and logout clears them with the same ones', async () => {
    const { set, cleared } = await loginAndLogout(p);
    for (const [name, path] of [
      ['auth-token', '/app'],
      ['refresh-token', '/app/api/auth'],
    ] as const) {
      expect(attributes(set[name]!.raw), name).toMatchObject({ path, domain: 'onegate.example', samesite: 'Lax', secure: true, httponly: true });
      expect(attributes(cleared[name]!.raw), name).toMatchObject({ path, domain: 'onegate.example', 'max-age': '0' });
    }
  });
});

describe('cookie configuration', () => {
  it('defaults to Path=/ and /api/auth, no Domain, SameSite=Strict', () => {
    const c = loadConfig({});
    expect([c.AUTH_COOKIE_PATH, c.REFRESH_COOKIE_PATH, c.COOKIE_DOMAIN, c.COOKIE_SAMESITE]).toEqual(['/', '/api/auth', undefined, 'Strict']);
  });

  it.each([
    [{ AUTH_COOKIE_PATH: 'app' }, 'AUTH_COOKIE_PATH'],
    [{ REFRESH_COOKIE_PATH: '/api/auth; Domain=evil.example' }, 'REFRESH_COOKIE_PATH'],
    [{ COOKIE_DOMAIN: 'evil.example; Path=/' }, 'COOKIE_DOMAIN'],
    [{ COOKIE_SAMESITE: 'lax' }, 'COOKIE_SAMESITE'],
    [{ COOKIE_SAMESITE: 'None' }, 'COOKIE_SAMESITE: None requires Secure'],
    [{ COOKIE_SAMESITE: 'None', NODE_ENV: 'test', COOKIE_SECURE: 'false' }, 'COOKIE_SAMESITE: None requires Secure'],
  ])('refuses %o, naming it', (env, named) => {
    expect(() => loadConfig(env)).toThrow(named);
  });

  it('accepts SameSite=None with Secure cookies', () => {
    expect(loadConfig({ NODE_ENV: 'test', COOKIE_SAMESITE: 'None' }).COOKIE_SAMESITE).toBe('None');
  });
});
