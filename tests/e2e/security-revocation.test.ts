import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usersCommands } from '../../src/entrypoints/admin/commands/users.commands.ts';
import { adminContext, openAdminContainer } from '../../src/entrypoints/admin/admin-container.ts';
import { closeContainer } from '../../src/entrypoints/composition/container.ts';
import { authModule } from '../../src/entrypoints/auth/auth.module.ts';
import { paymentModule } from '../../src/entrypoints/payment/payment.module.ts';
import { transactionModule } from '../../src/entrypoints/transaction/transaction.module.ts';
import { startPlatform, type RunningPlatform } from '../../src/entrypoints/shared/platform.ts';
import { client, freshIp, newRegistration } from '../support/auth-http.ts';
import { realServicesConfig, requireEnv } from '../support/services.ts';

// Issue 10 item 6: logout, refresh-token reuse and a role change end the affected tokens at once,
// in the split deployment (auth signs; payment and transaction verify through the JWKS URL, each
// with its own connection to Redis and PostgreSQL), and Redis unreachable fails closed.
const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const privatePem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

const running: RunningPlatform[] = [];
let auth: RunningPlatform;
let payment: RunningPlatform;
let transaction: RunningPlatform;
async function start(service: string, modules: Parameters<typeof startPlatform>[0]['modules'], env: Record<string, string>) {
  const p = await startPlatform({ service, modules, config: realServicesConfig(env) });
  running.push(p);
  return p;
}
beforeAll(async () => {
  auth = await start('auth-service', [authModule], { JWT_PRIVATE_KEY: privatePem });
  const jwks = { JWKS_URL: `${auth.url}/api/auth/.well-known/jwks.json` };
  payment = await start('payment-service', [paymentModule], jwks);
  transaction = await start('transaction-service', [transactionModule], jwks);
});
afterAll(async () => {
  for (const p of running.reverse()) await p.stop();
});

type Tokens = { access_token: string; refresh_token: string };
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

async function registered(prefix: string) {
  const reg = newRegistration(prefix);
  expect((await client(auth)('POST', '/api/auth/register', { body: reg })).status).toBe(201);
  return reg;
}
async function login(reg: { username: string; password: string }): Promise<Tokens> {
  const r = await client(auth)<Tokens>('POST', '/api/auth/login', {
    body: { username: reg.username, password: reg.password },
    headers: { 'x-forwarded-for': freshIp() },
  });
  expect(r.status).toBe(200);
  return r.body.data;
}
async function refresh(refreshToken: string, on: RunningPlatform = auth) {
  return client(on)<Tokens>('PUT', '/api/auth/refresh', { body: { refresh_token: refreshToken } });
}
/** What each deployment answers to this access token, on a route of its own. */
async function statusEverywhere(token: string) {
  return {
    auth: (await client(auth)('GET', '/api/auth/me', { headers: bearer(token) })).status,
    payment: (await client(payment)('GET', '/api/payment/balance', { headers: bearer(token) })).status,
    transaction: (await client(transaction)('GET', '/api/transaction/me/histories', { headers: bearer(token) })).status,
  };
}
const LIVE = { auth: 200, payment: 200, transaction: 200 };
const DEAD = { auth: 401, payment: 401, transaction: 401 };

/** An operator CLI command (`users grant-admin` …), with its own database connection as the CLI has; nothing else is told. */
async function adminCli(name: string, username: string) {
  const command = usersCommands.find((c) => c.name === name)!;
  const container = await openAdminContainer(realServicesConfig(), { kind: 'client', url: requireEnv('TEST_DATABASE_URL'), poolMax: 1 });
  try {
    await command.run(adminContext(container, { username }, () => {}));
  } finally {
    await closeContainer(container);
  }
}

describe('revocation is immediate', () => {
  it('(a) after `users revoke-admin`, a token issued before it no longer passes an admin route', async () => {
    const reg = await registered('rvadm');
    await adminCli('users grant-admin', reg.username);
    const t = await login(reg);
    const refund = () =>
      client(payment)('POST', '/api/payment/admin/refunds', {
        headers: { ...bearer(t.access_token), 'idempotency-key': randomUUID() },
        body: { transaction_id: randomUUID() },
      });
    expect((await refund()).status).toBe(404); // an admin: past the role check, the payment does not exist
    await adminCli('users revoke-admin', reg.username);
    const after = await refund();
    expect(after.status).toBe(403);
    expect(after.body.meta.error).toBe('FORBIDDEN');
    // The user is still a user: their own routes keep working, and a new token carries role USER.
    expect(await statusEverywhere(t.access_token)).toEqual(LIVE);
    const renewed = await refresh(t.refresh_token);
    expect(renewed.status).toBe(200);
    expect(JSON.parse(Buffer.from(renewed.body.data.access_token.split('.')[1]!, 'base64url').toString())).toMatchObject({ role: 'USER' });
  });

  it("(b) logout with an access token from before a refresh ends the session's current access and refresh tokens", async () => {
    const reg = await registered('rvout');
    const first = await login(reg);
    const current = (await refresh(first.refresh_token)).body.data;
    expect(await statusEverywhere(current.access_token)).toEqual(LIVE);
    const other = await login(reg); // another session of the same user is not touched
    const out = await client(auth)('DELETE', '/api/auth/logout', { headers: bearer(first.access_token) });
    expect(out.status).toBe(200);
    expect(await statusEverywhere(current.access_token)).toEqual(DEAD);
    expect(await statusEverywhere(first.access_token)).toEqual(DEAD);
    expect((await refresh(current.refresh_token)).status).toBe(401);
    expect(await statusEverywhere(other.access_token)).toEqual(LIVE);
  });

  it('(c) after REFRESH_TOKEN_REUSED, every access token the family issued is refused', async () => {
    const reg = await registered('rvuse');
    const first = await login(reg);
    const second = (await refresh(first.refresh_token)).body.data;
    const third = (await refresh(second.refresh_token)).body.data;
    const reused = await refresh(first.refresh_token);
    expect(reused.status).toBe(401);
    expect(reused.body.meta.error).toBe('REFRESH_TOKEN_REUSED');
    for (const t of [first, second, third]) expect(await statusEverywhere(t.access_token)).toEqual(DEAD);
    expect((await refresh(third.refresh_token)).status).toBe(401);
  });
});

describe('with Redis unreachable, revocation fails closed', () => {
  let down: { auth: RunningPlatform; payment: RunningPlatform; transaction: RunningPlatform };
  beforeAll(async () => {
    const noRedis = { REDIS_URL: 'redis://127.0.0.1:1/0' };
    const jwks = { JWKS_URL: `${auth.url}/api/auth/.well-known/jwks.json` };
    down = {
      auth: await start('auth-service', [authModule], { ...noRedis, JWT_PRIVATE_KEY: privatePem }),
      payment: await start('payment-service', [paymentModule], { ...noRedis, ...jwks }),
      transaction: await start('transaction-service', [transactionModule], { ...noRedis, ...jwks }),
    };
  });

  it('every deployment answers 503 to a valid token: it cannot tell whether the session was revoked', async () => {
    const t = await login(await registered('rvdown'));
    for (const [p, path] of [
      [down.auth, '/api/auth/me'],
      [down.payment, '/api/payment/balance'],
      [down.transaction, '/api/transaction/me/histories'],
    ] as const) {
      const r = await client(p)('GET', path, { headers: bearer(t.access_token) });
      expect(r.status, path).toBe(503);
      expect(r.body.meta.error).toBe('SESSION_STORE_UNAVAILABLE');
    }
  });

  it('a reuse detected while Redis is down answers 503, and the session still ends once Redis answers', async () => {
    const reg = await registered('rvdown');
    const first = await login(reg);
    const second = (await refresh(first.refresh_token)).body.data;
    const reused = await refresh(first.refresh_token, down.auth);
    expect(reused.status).toBe(503);
    expect(reused.body.meta.error).toBe('SESSION_STORE_UNAVAILABLE');
    // The family is revoked in PostgreSQL: the next attempt with any of its tokens writes the mark.
    expect((await refresh(second.refresh_token)).status).toBe(401);
    expect(await statusEverywhere(second.access_token)).toEqual(DEAD);
  });

  it('logout while Redis is down answers 503 and leaves the session unrefreshable', async () => {
    const reg = await registered('rvdown');
    const t = await login(reg);
    const out = await client(down.auth)('DELETE', '/api/auth/logout', { headers: bearer(t.access_token) });
    expect(out.status).toBe(503); // verifying the token itself needs Redis
    const outLive = await client(auth)('DELETE', '/api/auth/logout', { headers: bearer(t.access_token) });
    expect(outLive.status).toBe(200);
    expect((await refresh(t.refresh_token)).status).toBe(401);
    expect(await statusEverywhere(t.access_token)).toEqual(DEAD);
  });
});
