import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startPlatform } from '../../src/entrypoints/shared/platform.ts';
import { authModule } from '../../src/entrypoints/auth/auth.module.ts';
import { paymentModule } from '../../src/entrypoints/payment/payment.module.ts';
import { transactionModule } from '../../src/entrypoints/transaction/transaction.module.ts';
import type { ServiceModule } from '../../src/entrypoints/shared/service-module.ts';
import { realServicesConfig, uniq } from '../support/services.ts';

/*
 * kong.yml against the code. The routes come from the running entrypoints' /openapi.json (every
 * route is mounted through defineRoute, which documents it), so this test follows the code as
 * routes are added: a new route that Kong does not expose, or exposes with the wrong auth plugin,
 * fails here, and so does a Kong route that points at nothing.
 */

interface KongPlugin {
  name: string;
  config?: Record<string, unknown>;
}
interface KongRoute {
  name: string;
  methods?: string[];
  paths: string[];
  strip_path?: boolean;
  plugins?: KongPlugin[];
}
interface KongService {
  name: string;
  url: string;
  routes: KongRoute[];
  plugins?: KongPlugin[];
}
interface KongConsumer {
  username: string;
  plugins?: KongPlugin[];
  keyauth_credentials?: { key: string }[];
  jwt_secrets?: { key: string; algorithm: string; rsa_public_key?: string }[];
}
interface KongConfig {
  _format_version: string;
  services: KongService[];
  consumers: KongConsumer[];
  plugins: KongPlugin[];
}

const kong = parse(readFileSync('kong.yml', 'utf8'), { merge: true }) as KongConfig;

/** Which Kong service fronts which module: the deployment names used in docker-compose.yml and k8s/. */
const DEPLOYMENTS: [string, string, ServiceModule][] = [
  ['auth-service', '/api/auth', authModule],
  ['payment-service', '/api/payment', paymentModule],
  ['transaction-service', '/api/transaction', transactionModule],
];

interface CodeRoute {
  service: string;
  method: string;
  path: string;
  /** A concrete request path: each `{param}` replaced by a sample value. */
  sample: string;
  /** The auth plugin Kong must run for this route, or null. */
  auth: 'jwt' | 'key-auth' | null;
}

const AUTH_PLUGINS = new Set(['jwt', 'key-auth', 'basic-auth', 'hmac-auth', 'oauth2', 'openid-connect', 'ldap-auth']);

let codeRoutes: CodeRoute[] = [];

beforeAll(async () => {
  for (const [service, , module] of DEPLOYMENTS) {
    // Own consumer group and topic: the transaction module starts its events consumer.
    const p = await startPlatform({
      service,
      modules: [module],
      config: realServicesConfig({ KAFKA_CONSUMER_GROUP: uniq('kong-test-'), KAFKA_TOPIC_TRANSACTIONS: uniq('kong-test-events-') }),
    });
    try {
      const doc = (await (await fetch(`${p.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, { security?: Record<string, string[]>[] }>> };
      for (const [path, ops] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(ops)) {
          const schemes = (op.security ?? []).flatMap((s) => Object.keys(s));
          const auth = schemes.includes('bearerAuth') ? 'jwt' : schemes.includes('apiKey') ? 'key-auth' : null;
          codeRoutes.push({ service, method: method.toUpperCase(), path, sample: path.replace(/\{[^}]+\}/g, 'sample-id-1'), auth });
        }
      }
    } finally {
      await p.stop();
    }
  }
  codeRoutes = codeRoutes.sort((a, b) => a.path.localeCompare(b.path));
}, 120_000);

afterAll(() => {
  // Nothing is left running: each platform was stopped right after its document was read.
});

/** Kong 3.x path matching: `~` starts a regex anchored at the start of the path; otherwise a plain prefix. */
function pathMatches(kongPath: string, requestPath: string): boolean {
  return kongPath.startsWith('~') ? new RegExp(`^${kongPath.slice(1)}`).test(requestPath) : requestPath.startsWith(kongPath);
}
function routeMatches(route: KongRoute, method: string, requestPath: string): boolean {
  return (!route.methods || route.methods.includes(method)) && route.paths.some((p) => pathMatches(p, requestPath));
}
const allRoutes = () => kong.services.flatMap((s) => s.routes.map((r) => ({ service: s, route: r })));
function authPluginsOf(service: KongService, route: KongRoute): string[] {
  return [...(route.plugins ?? []), ...(service.plugins ?? []), ...kong.plugins].map((p) => p.name).filter((n) => AUTH_PLUGINS.has(n));
}
const plugin = (list: KongPlugin[] | undefined, name: string) => list?.find((p) => p.name === name);

describe('kong.yml against the routes in the code', () => {
  it('finds the services’ routes in their OpenAPI documents', () => {
    // Every deployment serves its module; the checks below are only as good as this list.
    for (const [service, prefix] of DEPLOYMENTS) {
      expect(kong.services.map((s) => s.name)).toContain(service);
      const routes = codeRoutes.filter((c) => c.service === service);
      expect(routes.length, `${service} documents no route`).toBeGreaterThan(0);
      for (const r of routes) expect(r.path.startsWith(`${prefix}/`), `${service} serves ${r.path} outside ${prefix}`).toBe(true);
    }
  });

  it('points each Kong service at its deployment, passing the path through unchanged', () => {
    for (const [service, prefix] of DEPLOYMENTS) {
      const s = kong.services.find((x) => x.name === service)!;
      expect(new URL(s.url).hostname).toBe(service);
      expect(new URL(s.url).pathname).toBe('/');
      for (const r of s.routes) {
        expect(r.strip_path, `${r.name} must keep the path`).toBe(false);
        for (const p of r.paths) expect(p.replace(/^~/, '').replace(/\\/g, ''), `${r.name}: ${p} must be under ${prefix}`).toMatch(new RegExp(`^${prefix}/`));
      }
    }
  });

  it('routes every public route of every service through exactly one Kong route, with the right auth plugin', () => {
    const problems: string[] = [];
    for (const c of codeRoutes) {
      const matches = allRoutes().filter(({ route }) => routeMatches(route, c.method, c.sample));
      if (matches.length !== 1) {
        problems.push(`${c.method} ${c.path}: matched by ${matches.length} Kong routes (${matches.map((m) => m.route.name).join(', ') || 'none'})`);
        continue;
      }
      const { service, route } = matches[0]!;
      if (service.name !== c.service) problems.push(`${c.method} ${c.path}: Kong sends it to ${service.name}, the code serves it in ${c.service}`);
      const auth = authPluginsOf(service, route);
      const expected = c.auth ? [c.auth] : [];
      if (auth.join() !== expected.join())
        problems.push(`${c.method} ${c.path}: Kong route ${route.name} runs [${auth.join()}], the route's security needs [${expected.join()}]`);
    }
    expect(problems).toEqual([]);
  });

  it('points every Kong route at paths that exist in the service behind it', () => {
    const problems: string[] = [];
    for (const { service, route } of allRoutes()) {
      for (const p of route.paths) {
        const hit = codeRoutes.some((c) => c.service === service.name && (!route.methods || route.methods.includes(c.method)) && pathMatches(p, c.sample));
        if (!hit) problems.push(`${route.name}: ${route.methods?.join('|') ?? 'ANY'} ${p} matches no route of ${service.name}`);
      }
      // Every method a route allows is answered on every one of its paths: no pass-through to nothing.
      for (const m of route.methods ?? []) {
        for (const p of route.paths) {
          const hit = codeRoutes.some((c) => c.service === service.name && c.method === m && pathMatches(p, c.sample));
          if (!hit) problems.push(`${route.name}: ${m} ${p} is let through but no route of ${service.name} answers it`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('has sample requests that are sure to reach each regex route as written (the matcher itself)', () => {
    expect(pathMatches('~/api/auth/me$', '/api/auth/me')).toBe(true);
    expect(pathMatches('~/api/auth/me$', '/api/auth/merge')).toBe(false);
    expect(pathMatches('/api/transaction/me/', '/api/transaction/me/histories/x')).toBe(true);
    expect(pathMatches('/api/transaction/me/', '/api/transaction/histories')).toBe(false);
  });
});

describe('kong.yml on its own', () => {
  it('is declarative config for Kong 3.x', () => {
    expect(kong._format_version).toBe('3.0');
  });

  it('gives the regulators their limits, counted in Redis so every Kong node shares them', () => {
    const limits = (username: string) => {
      const c = kong.consumers.find((x) => x.username === username);
      const rl = plugin(c?.plugins, 'rate-limiting')?.config ?? {};
      return { minute: rl.minute, hour: rl.hour, day: rl.day, policy: rl.policy, limit_by: rl.limit_by };
    };
    expect(limits('bank-indonesia')).toEqual({ minute: 100, hour: 1000, day: 10000, policy: 'redis', limit_by: 'consumer' });
    expect(limits('ojk')).toEqual({ minute: 200, hour: 2000, day: 20000, policy: 'redis', limit_by: 'consumer' });
  });

  it('uses the redis policy for every rate limit, and rate-limits the auth routes per client IP', () => {
    const everyRateLimit = [
      ...kong.plugins,
      ...kong.consumers.flatMap((c) => c.plugins ?? []),
      ...kong.services.flatMap((s) => [...(s.plugins ?? []), ...s.routes.flatMap((r) => r.plugins ?? [])]),
    ].filter((p) => p.name === 'rate-limiting');
    expect(everyRateLimit.length).toBeGreaterThanOrEqual(4);
    for (const p of everyRateLimit) expect(p.config?.policy).toBe('redis');
    const auth = kong.services.find((s) => s.name === 'auth-service')!;
    for (const r of auth.routes.filter((x) => !authPluginsOf(auth, x).length)) {
      const rl = plugin(r.plugins, 'rate-limiting');
      expect(rl, `${r.name} must be rate limited`).toBeDefined();
      expect(rl!.config?.limit_by).toBe('ip');
    }
  });

  it('takes API keys from the X-API-Key header only, never from the query string or body', () => {
    const keyAuth = kong.services.flatMap((s) => s.routes.flatMap((r) => r.plugins ?? [])).filter((p) => p.name === 'key-auth');
    expect(keyAuth.length).toBeGreaterThan(0);
    for (const p of keyAuth) {
      expect(p.config?.key_names).toEqual(['X-API-Key']);
      expect(p.config?.key_in_query).toBe(false);
      expect(p.config?.key_in_body).toBe(false);
      expect(p.config?.key_in_header).toBe(true);
      // The transaction service re-verifies the key (permissions, expiry, access log): Kong passes it on.
      expect(p.config?.hide_credentials).toBe(false);
    }
  });

  it('verifies access tokens with an asymmetric algorithm, from the header or the auth-token cookie', () => {
    const jwt = kong.services.flatMap((s) => s.routes.flatMap((r) => r.plugins ?? [])).filter((p) => p.name === 'jwt');
    expect(jwt.length).toBeGreaterThan(0);
    for (const p of jwt) {
      expect(p.config?.claims_to_verify).toContain('exp');
      expect(p.config?.uri_param_names).toEqual([]);
      expect(p.config?.cookie_names).toEqual(['auth-token']);
    }
    const secrets = kong.consumers.flatMap((c) => c.jwt_secrets ?? []);
    expect(secrets.length).toBeGreaterThan(0);
    for (const s of secrets) {
      expect(['RS256', 'ES256']).toContain(s.algorithm);
      expect(s.rsa_public_key).toMatch(/^\{vault:\/\/env\/[a-z0-9-]+\}$/);
    }
  });

  it('keeps every secret out of the file: credentials are vault references', () => {
    for (const c of kong.consumers) for (const k of c.keyauth_credentials ?? []) expect(k.key).toMatch(/^\{vault:\/\/env\/[a-z0-9-]+\}$/);
    const redisPasswords = [...kong.consumers.flatMap((c) => c.plugins ?? []), ...kong.services.flatMap((s) => s.routes.flatMap((r) => r.plugins ?? []))]
      .filter((p) => p.name === 'rate-limiting')
      .map((p) => (p.config?.redis as { password?: string }).password);
    for (const p of redisPasswords) expect(p).toMatch(/^\{vault:\/\/env\/[a-z0-9-]+\}$/);
    const text = readFileSync('kong.yml', 'utf8');
    expect(text).not.toMatch(/BEGIN [A-Z ]*KEY/);
  });

  it('strips client-sent X-Consumer-* and credential headers on every route', () => {
    const rt = plugin(kong.plugins, 'request-transformer');
    const removed = ((rt?.config?.remove as { headers?: string[] })?.headers ?? []).map((h) => h.toLowerCase());
    for (const h of ['x-consumer-id', 'x-consumer-username', 'x-consumer-custom-id', 'x-consumer-groups', 'x-credential-identifier', 'x-anonymous-consumer'])
      expect(removed).toContain(h);
  });

  it('allows CORS from explicit HTTPS origins only', () => {
    const cors = plugin(kong.plugins, 'cors')!.config!;
    const origins = cors.origins as string[];
    expect(origins.length).toBeGreaterThan(0);
    for (const o of origins) expect(o).toMatch(/^https:\/\/[a-z0-9.-]+$/);
  });

  it('limits request bodies to 1 MiB and adds security headers to every response', () => {
    const size = plugin(kong.plugins, 'request-size-limiting')!.config!;
    expect(size).toMatchObject({ allowed_payload_size: 1, size_unit: 'megabytes' });
    const headers = (plugin(kong.plugins, 'response-transformer')!.config!.add as { headers: string[] }).headers.map((h) => h.split(':')[0]!.toLowerCase());
    for (const h of ['strict-transport-security', 'x-content-type-options', 'x-frame-options', 'content-security-policy']) expect(headers).toContain(h);
  });

  it('exposes no Admin API: no service points at Kong itself or at an admin port', () => {
    for (const s of kong.services) {
      const u = new URL(s.url);
      expect(['localhost', '127.0.0.1', 'kong', '::1']).not.toContain(u.hostname);
      expect(['8001', '8444', '8002', '8445']).not.toContain(u.port);
    }
    const compose = readFileSync('docker-compose.yml', 'utf8');
    expect(compose).toMatch(/KONG_ADMIN_LISTEN: ["']?off/);
  });
});
