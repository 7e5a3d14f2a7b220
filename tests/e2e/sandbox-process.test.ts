import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type RunningPlatform } from '../../src/entrypoints/shared/platform.ts';
import { createPaymentModule } from '../../src/entrypoints/payment/payment.module.ts';
import { paymentRuntime } from '../support/payment-runtime.ts';
import { realServicesConfig } from '../support/services.ts';
import { accessTokenFor } from '../support/tokens.ts';
import { createCustomer } from '../support/payment-fixtures.ts';

// Issue 16: the sandboxes as their own process (`npm run sandbox`), like a real provider: two
// payment replicas share it, and it keeps wallets and top-ups across its own SIGKILL.
const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

const credentials = {
  GOPAY_CLIENT_ID: 'topology-gopay',
  GOPAY_CLIENT_SECRET: 'gopay-client-secret-for-the-test',
  GOPAY_PARTNER_ID: 'TOPOLOGY',
  GOPAY_WEBHOOK_SECRET: 'gopay-webhook-secret-for-the-test',
  SHOPEEPAY_MERCHANT_ID: 'topology-merchant',
  SHOPEEPAY_SECRET: 'shopeepay-secret-for-the-test',
  SHOPEEPAY_WEBHOOK_SECRET: 'shopeepay-webhook-secret-for-the-test',
};

let dir: string;
let ports: { gopay: number; shopeepay: number };
let child: ChildProcess | undefined;
let replicas: RunningPlatform[] = [];

function startSandboxProcess(webhookBase: string): Promise<ChildProcess> {
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/root',
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    SANDBOX_STATE_DIR: dir,
    SANDBOX_GOPAY_PORT: String(ports.gopay),
    SANDBOX_SHOPEEPAY_PORT: String(ports.shopeepay),
    SANDBOX_WEBHOOK_BASE_URL: webhookBase,
    ...credentials,
  };
  const c = spawn(process.execPath, ['src/entrypoints/sandbox/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    // Generous (a loaded 2-core machine starts node slowly), and the child goes with the failure: an
    // orphaned sandbox would hold its ports and state dir.
    const t = setTimeout(() => {
      c.kill('SIGKILL');
      reject(new Error(`sandbox did not start:\n${out}`));
    }, 90_000);
    const onData = (d: Buffer) => {
      out += d;
      if (out.includes('E-wallet sandboxes are running')) {
        clearTimeout(t);
        resolve(c);
      }
    };
    c.stdout!.on('data', onData);
    c.stderr!.on('data', (d: Buffer) => (out += d));
    c.on('exit', (code) => reject(new Error(`sandbox exited with ${code}:\n${out}`)));
  });
}

const kill9 = (c: ChildProcess) =>
  new Promise<void>((resolve) => {
    c.once('exit', () => resolve());
    c.kill('SIGKILL');
  });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ogp-sandbox-'));
  ports = { gopay: await freePort(), shopeepay: await freePort() };
  const external = {
    GOPAY_BASE_URL: `http://127.0.0.1:${ports.gopay}`,
    SHOPEEPAY_BASE_URL: `http://127.0.0.1:${ports.shopeepay}`,
    ...credentials,
    EWALLET_RETRIES: '0',
  };
  for (let i = 0; i < 2; i++) {
    replicas.push(
      await startPlatform({ service: 'payment-service', modules: [createPaymentModule({ reconciler: false })], config: realServicesConfig(external) }),
    );
  }
  child = await startSandboxProcess(`${replicas[0]!.url}/api/payment/webhooks`);
}, 150_000);
afterAll(async () => {
  if (child && child.exitCode === null) await kill9(child);
  for (const r of replicas) await r.stop();
  replicas = [];
  await rm(dir, { recursive: true, force: true });
});

async function call(p: RunningPlatform, method: string, path: string, token: string, body?: unknown) {
  const r = await fetch(`${p.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, body: (await r.json()) as { data: Record<string, unknown> | null; meta: Record<string, unknown> } };
}
const control = (port: number, method: string, path: string, body?: unknown) =>
  fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).then(async (r) => ({
    status: r.status,
    body: r.status === 204 ? null : ((await r.json()) as Record<string, unknown>),
  }));

describe('e-wallet sandboxes as their own process (npm run sandbox)', () => {
  it('serves every payment replica the same wallets, with the configured credentials, and no replica starts its own', async () => {
    for (const r of replicas) expect(paymentRuntime(r.container).sandboxes).toBeNull();
    const env = await readFile(join(dir, 'payment.env'), 'utf8');
    expect(env).toContain(`GOPAY_BASE_URL=http://127.0.0.1:${ports.gopay}`);
    expect(env).toContain(`SHOPEEPAY_SECRET=${credentials.SHOPEEPAY_SECRET}`);
    expect((await stat(join(dir, 'payment.env'))).mode & 0o777).toBe(0o600);

    const [a, b] = replicas as [RunningPlatform, RunningPlatform];
    const c = await createCustomer(a.infra.orm, { balance: '50000.00' });
    const token = accessTokenFor(a, { userId: c.userId, username: c.username, role: 'USER' });
    const top = await call(a, 'POST', '/api/payment/wallet/topup', token, { amount: '12000.00', payment_method: 'GOPAY', phone_number: c.phone });
    expect([top.status, top.body.data?.transaction_status]).toEqual([201, 'SUCCESS']);
    // Replica B asks the same provider: it sees the credit replica A made.
    expect((await call(b, 'GET', '/api/payment/wallet?ewallet=GOPAY', token)).body.data).toMatchObject({ balance: '12000.00' });
  });

  it('keeps wallets, settled and pending top-ups across a SIGKILL of the sandbox process; a pending one settles after the restart, exactly once', async () => {
    const [a, b] = replicas as [RunningPlatform, RunningPlatform];
    const c = await createCustomer(a.infra.orm, { balance: '80000.00' });
    const token = accessTokenFor(a, { userId: c.userId, username: c.username, role: 'USER' });
    const done = await call(a, 'POST', '/api/payment/wallet/topup', token, { amount: '20000.00', payment_method: 'SHOPEE_PAY', phone_number: c.phone });
    expect(done.status).toBe(201);
    expect((await control(ports.shopeepay, 'POST', '/sandbox/behaviours', { operation: 'topup', kind: 'pending', times: 1 })).status).toBe(204);
    const pending = await call(a, 'POST', '/api/payment/wallet/topup', token, { amount: '30000.00', payment_method: 'SHOPEE_PAY', phone_number: c.phone });
    expect([pending.status, pending.body.data?.transaction_status]).toEqual([202, 'PENDING']);
    const ref = String(pending.body.data!.transaction_id);

    await kill9(child!);
    expect((await call(b, 'GET', '/api/payment/wallet?ewallet=SHOPEE_PAY', token)).status).toBeGreaterThanOrEqual(500); // the provider is down
    child = await startSandboxProcess(`${a.url}/api/payment/webhooks`);

    // Same address, same credentials (the replicas were not touched), same state.
    expect((await call(b, 'GET', '/api/payment/wallet?ewallet=SHOPEE_PAY', token)).body.data).toMatchObject({ balance: '20000.00' });
    expect(await control(ports.shopeepay, 'GET', `/sandbox/topups/${ref}`)).toMatchObject({ status: 200, body: { status: 'PENDING', amount: '30000.00' } });
    expect(await control(ports.shopeepay, 'GET', `/sandbox/topups/${String(done.body.data!.transaction_id)}`)).toMatchObject({ body: { status: 'SUCCESS' } });

    // Settled at the provider after its restart: the signed notification reaches replica A, which settles ours.
    expect(await control(ports.shopeepay, 'POST', '/sandbox/settle', { reference: ref, status: 'SUCCESS' })).toMatchObject({
      status: 200,
      body: { status: 'SUCCESS' },
    });
    await expect
      .poll(async () => (await call(b, 'GET', `/api/payment/transactions/${ref}`, token)).body.data?.transaction_status, { timeout: 10_000, interval: 100 })
      .toBe('SUCCESS');
    expect((await call(b, 'GET', '/api/payment/wallet?ewallet=SHOPEE_PAY', token)).body.data).toMatchObject({ balance: '50000.00' });
    // Settling again changes nothing: the provider keeps one top-up per reference.
    await control(ports.shopeepay, 'POST', '/sandbox/settle', { reference: ref, status: 'SUCCESS' });
    expect((await call(a, 'GET', '/api/payment/balance', token)).body.data).toMatchObject({ balance: '30000.00' });
    expect((await call(b, 'GET', '/api/payment/wallet?ewallet=SHOPEE_PAY', token)).body.data).toMatchObject({ balance: '50000.00' });
  }, 150_000);
});
