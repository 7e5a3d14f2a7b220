import { generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type RunningPlatform } from '../../src/entrypoints/shared/platform.ts';
import { authModule } from '../../src/entrypoints/auth/auth.module.ts';
import { paymentModule } from '../../src/entrypoints/payment/payment.module.ts';
import { transactionModule } from '../../src/entrypoints/transaction/transaction.module.ts';
import { allModules } from '../../src/entrypoints/all-in-one/modules.ts';
import { realServicesConfig } from '../support/services.ts';
import { client, freshIp, newRegistration } from '../support/auth-http.ts';

// The auth deployment signs with its private key; the payment and transaction deployments get only
// the public key (JWT_PUBLIC_KEYS) or only the auth service's JWKS URL.
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const privatePem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const publicPem = publicKey.export({ format: 'pem', type: 'spki' }).toString();

const running: RunningPlatform[] = [];
afterAll(async () => {
  for (const p of running.reverse()) await p.stop();
});
async function start(service: string, modules: Parameters<typeof startPlatform>[0]['modules'], env: Record<string, string>) {
  const p = await startPlatform({ service, modules, config: realServicesConfig(env) });
  running.push(p);
  return p;
}

type Tokens = { access_token: string; refresh_token: string };

describe('tokens across deployments', () => {
  let auth: RunningPlatform;
  let paymentByKey: RunningPlatform;
  let paymentByJwks: RunningPlatform;
  let transactionByJwks: RunningPlatform;
  beforeAll(async () => {
    auth = await start('auth-service', [authModule], { JWT_PRIVATE_KEY: privatePem });
    paymentByKey = await start('payment-service', [paymentModule], { JWT_PUBLIC_KEYS: publicPem });
    const jwksUrl = `${auth.url}/api/auth/.well-known/jwks.json`;
    paymentByJwks = await start('payment-service', [paymentModule], { JWKS_URL: jwksUrl });
    transactionByJwks = await start('transaction-service', [transactionModule], { JWKS_URL: jwksUrl });
  });

  async function session() {
    const reg = newRegistration('x');
    expect((await client(auth)('POST', '/api/auth/register', { body: reg })).status).toBe(201);
    const r = await client(auth)<Tokens>('POST', '/api/auth/login', {
      body: { username: reg.username, password: reg.password },
      headers: { 'X-Forwarded-For': freshIp() },
    });
    expect(r.status).toBe(200);
    return r.body.data;
  }

  it('the payment service with only the public key, or only the JWKS URL, accepts a token the auth service issued', async () => {
    const t = await session();
    for (const p of [paymentByKey, paymentByJwks]) {
      const r = await client(p)('GET', '/api/payment/account', { headers: { Authorization: `Bearer ${t.access_token}` } });
      expect(r.status).toBe(200);
      expect(r.body.data).toMatchObject({ balance: '0.00', account_status: 'ACTIVE' });
      // Cookie-only clients too.
      expect((await client(p)('GET', '/api/payment/balance', { headers: { Cookie: `auth-token=${t.access_token}` } })).status).toBe(200);
    }
    expect((await client(transactionByJwks)('GET', '/api/transaction/me/histories', { headers: { Authorization: `Bearer ${t.access_token}` } })).status).toBe(
      200,
    );
  });

  it('they refuse forged tokens: another key with the same kid, alg none, HS256 with the public key, wrong audience', async () => {
    const t = await session();
    const { header, payload } = jwt.decode(t.access_token, { complete: true }) as { header: { kid: string }; payload: jwt.JwtPayload };
    const claims = { ...payload };
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    const forged = [
      jwt.sign(claims, other, { algorithm: 'ES256', keyid: header.kid }),
      jwt.sign(claims, '', { algorithm: 'none', keyid: header.kid } as jwt.SignOptions),
      jwt.sign(claims, publicPem, { algorithm: 'HS256', keyid: header.kid }),
      jwt.sign({ ...claims, aud: 'someone-else' }, privateKey, { algorithm: 'ES256', keyid: header.kid }),
      jwt.sign({ ...claims, role: 'ADMIN' }, other, { algorithm: 'ES256', keyid: header.kid }),
    ];
    for (const p of [paymentByKey, paymentByJwks, transactionByJwks]) {
      const path = p === transactionByJwks ? '/api/transaction/me/histories' : '/api/payment/account';
      for (const token of forged) {
        const r = await client(p)('GET', path, { headers: { Authorization: `Bearer ${token}` } });
        expect(r.status).toBe(401);
        expect(r.body.meta.error).toBe('INVALID_TOKEN');
      }
    }
  });

  it('a logout at the auth service kills the access token at the payment service at once', async () => {
    const t = await session();
    const h = { Authorization: `Bearer ${t.access_token}` };
    expect((await client(paymentByJwks)('GET', '/api/payment/account', { headers: h })).status).toBe(200);
    expect((await client(auth)('DELETE', '/api/auth/logout', { headers: h })).status).toBe(200);
    expect((await client(paymentByJwks)('GET', '/api/payment/account', { headers: h })).status).toBe(401);
    expect((await client(paymentByKey)('GET', '/api/payment/account', { headers: h })).status).toBe(401);
  });

  it('the verifying services cannot issue tokens, and have no auth routes', async () => {
    expect((await client(paymentByKey)('POST', '/api/auth/login', { body: { username: 'x', password: 'y' } })).status).toBe(404);
  });
});

describe('the all-in-one deployment', () => {
  it('serves the whole auth flow next to the payment and transaction routes', async () => {
    const p = await start('all-in-one', allModules, {});
    const api = client(p);
    const reg = newRegistration('aio');
    const created = await api<{ account: { id: string } }>('POST', '/api/auth/register', { body: reg });
    expect(created.status).toBe(201);
    const t = (
      await api<Tokens>('POST', '/api/auth/login', { body: { username: reg.email, password: reg.password }, headers: { 'X-Forwarded-For': freshIp() } })
    ).body.data;
    const h = { Authorization: `Bearer ${t.access_token}` };
    expect((await api('GET', '/api/auth/me', { headers: h })).status).toBe(200);
    const account = await api<{ id: string }>('GET', '/api/payment/account', { headers: h });
    expect(account.body.data.id).toBe(created.body.data.account.id);
    const next = await api<Tokens>('PUT', '/api/auth/refresh', { headers: { Cookie: `refresh-token=${t.refresh_token}`, 'Sec-Fetch-Site': 'same-origin' } });
    expect(next.status).toBe(200);
    expect((await api('PUT', '/api/auth/refresh', { body: { refresh_token: t.refresh_token } })).body.meta.error).toBe('REFRESH_TOKEN_REUSED');
    expect((await api('GET', '/api/transaction/me/histories', { headers: { Authorization: `Bearer ${next.body.data.access_token}` } })).status).toBe(401);
  });
});
