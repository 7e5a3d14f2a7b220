import { request } from 'node:http';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allModules } from '../../src/entrypoints/all-in-one/modules.ts';
import { startPlatform, type RunningPlatform } from '../../src/entrypoints/shared/platform.ts';
import { newRegistration } from '../support/auth-http.ts';
import { realServicesConfig } from '../support/services.ts';
import { eventually, issueTestKey } from '../support/transaction-fixtures.ts';

// Issue 10 item 5: the client cannot choose its own address. The platform trusts one gateway
// (127.0.0.2, playing Kong) plus a whole private range — the shape of the old shipped configuration —
// with one hop. Requests come from 127.0.0.3 (a client outside the trusted set, with a source address
// no other suite uses, so the per-IP counters are this file's alone) or through the gateway.
const GATEWAY = '127.0.0.2';
const CLIENT = '127.0.0.3';
const SPOOFED = '10.10.10.10';
// Clients on private addresses (VPN, SNAT) inside the trusted range, as the gateway sees them.
const PRIVATE_REG = '10.20.30.41';
const PRIVATE_LOGIN = '10.20.30.42';
let p: RunningPlatform;

interface Answer {
  status: number;
  body: { meta: { error?: string }; data: Record<string, unknown> };
}

/** A JSON request from a chosen local source address (all of 127/8 is loopback on Linux). */
function from(localAddress: string, method: string, path: string, opts: { headers?: Record<string, string>; body?: unknown } = {}): Promise<Answer> {
  const url = new URL(path, p.url);
  const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method,
        localAddress,
        headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...opts.headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : { meta: {}, data: {} } }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

beforeAll(async () => {
  p = await startPlatform({
    service: 'all-in-one',
    modules: allModules,
    config: realServicesConfig({ TRUSTED_PROXIES: `${GATEWAY},10.0.0.0/8`, TRUSTED_PROXY_HOPS: '1', REGISTRATIONS_PER_IP_PER_HOUR: '3' }),
  });
  // Counters of an earlier run (same Redis DB) must not decide this one.
  const kv = p.infra.kv;
  await kv.del(
    ...[CLIENT, PRIVATE_REG, SPOOFED].map((ip) => `auth:register-ip:${ip}`),
    ...[CLIENT, PRIVATE_LOGIN].flatMap((ip) => [`auth:login:n:ip:${ip}`, `auth:login:lock:ip:${ip}`]),
  );
});
afterAll(() => p?.stop());

describe('a spoofed X-Forwarded-For changes nothing', () => {
  it('an API key allowed only from 10.10.10.10 is refused from elsewhere, whatever the header says', async () => {
    const { key } = await issueTestKey(p.infra.orm, { permissions: ['READ_TRANSACTIONS'], allowedIps: [SPOOFED] });
    // The reproduction: from 127.0.0.1, not a trusted proxy.
    for (const local of ['127.0.0.1', CLIENT]) {
      const r = await from(local, 'GET', '/api/transaction/histories', { headers: { 'x-api-key': key, 'x-forwarded-for': SPOOFED } });
      expect(r.status, local).toBe(403);
      expect(r.body.meta.error).toBe('IP_NOT_ALLOWED');
    }
    // Through the gateway, a client on a private address (inside the trusted range) writes the header
    // itself; the gateway appends what it saw (10.20.30.40). Only that entry counts.
    const viaGateway = await from(GATEWAY, 'GET', '/api/transaction/histories', {
      headers: { 'x-api-key': key, 'x-forwarded-for': `${SPOOFED}, 10.20.30.40` },
    });
    expect(viaGateway.status).toBe(403);
    // And the genuine case still works: the gateway saw 10.10.10.10.
    const genuine = await from(GATEWAY, 'GET', '/api/transaction/histories', { headers: { 'x-api-key': key, 'x-forwarded-for': `6.6.6.6, ${SPOOFED}` } });
    expect(genuine.status).toBe(200);
  });

  it('the access log records the real address, not the header', async () => {
    const { key } = await issueTestKey(p.infra.orm, { permissions: ['READ_TRANSACTIONS'] });
    const direct = randomUUID();
    const proxied = randomUUID();
    expect(
      (await from(CLIENT, 'GET', '/api/transaction/histories', { headers: { 'x-api-key': key, 'x-forwarded-for': SPOOFED, 'x-request-id': direct } })).status,
    ).toBe(200);
    expect(
      (
        await from(GATEWAY, 'GET', '/api/transaction/histories', {
          headers: { 'x-api-key': key, 'x-forwarded-for': `${SPOOFED}, 10.20.30.40`, 'x-request-id': proxied },
        })
      ).status,
    ).toBe(200);
    const ipOf = async (id: string) => {
      const rows = (await p.infra.orm.em.fork().getConnection().execute(`select ip_address from api_access_logs where request_id = ?`, [id])) as {
        ip_address: string;
      }[];
      if (!rows[0]) throw new Error(`no access log row for ${id} yet`);
      return rows[0].ip_address;
    };
    expect(await eventually(() => ipOf(direct))).toBe(CLIENT);
    expect(await eventually(() => ipOf(proxied))).toBe('10.20.30.40');
  });

  it.each([
    ['directly, from outside the trusted set', CLIENT, (i: number) => `10.0.${i}.1`],
    ['through the gateway, from a private address', GATEWAY, (i: number) => `10.0.${i}.1, ${PRIVATE_REG}`],
  ])('the per-IP registration limit counts the real address, whatever the header says (%s)', async (_how, local, header) => {
    for (let i = 0; i < 3; i++) {
      const r = await from(local, 'POST', '/api/auth/register', { headers: { 'x-forwarded-for': header(i) }, body: newRegistration('ipreg') });
      expect(r.status).toBe(201);
    }
    const refused = await from(local, 'POST', '/api/auth/register', { headers: { 'x-forwarded-for': header(99) }, body: newRegistration('ipreg') });
    expect(refused.status).toBe(429);
    expect(refused.body.meta.error).toBe('TOO_MANY_REGISTRATIONS');
    expect(await p.infra.kv.get(`auth:register-ip:10.0.0.1`)).toBeNull();
  });

  it.each([
    ['directly, from outside the trusted set', CLIENT, (i: number) => `10.1.${i}.1`],
    ['through the gateway, from a private address', GATEWAY, (i: number) => `10.1.${i}.1, ${PRIVATE_LOGIN}`],
  ])('the per-IP login throttle counts the real address, whatever the header says (%s)', async (_how, local, header) => {
    // 50 failures from one address lock it (credential stuffing). The address already has 45 (counted
    // straight into Redis, to keep the suite fast); 5 more, each with another header, reach the limit.
    const real = local === CLIENT ? CLIENT : PRIVATE_LOGIN;
    for (let i = 0; i < 45; i++) await p.infra.kv.increment(`auth:login:n:ip:${real}`, 15 * 60);
    const attempts = Array.from({ length: 5 }, (_, i) =>
      from(local, 'POST', '/api/auth/login', {
        headers: { 'x-forwarded-for': header(i) },
        body: { username: `nobody_${randomUUID()}`, password: 'wrong-password' },
      }),
    );
    for (const r of await Promise.all(attempts)) expect(r.status).toBe(401);
    const locked = await from(local, 'POST', '/api/auth/login', {
      headers: { 'x-forwarded-for': header(200) },
      body: { username: `nobody_${randomUUID()}`, password: 'wrong-password' },
    });
    expect(locked.status).toBe(429);
    expect(locked.body.meta.error).toBe('TOO_MANY_LOGIN_ATTEMPTS');
    expect(await p.infra.kv.get(`auth:login:n:ip:10.1.0.1`)).toBeNull();
  });
});
