import { afterAll, describe, expect, it } from 'vitest';
import { startPlatform, type RunningPlatform } from '../../src/entrypoints/shared/platform.ts';
import { authModule } from '../../src/entrypoints/auth/auth.module.ts';
import { paymentModule } from '../../src/entrypoints/payment/payment.module.ts';
import { transactionModule } from '../../src/entrypoints/transaction/transaction.module.ts';
import { allModules } from '../../src/entrypoints/all-in-one/modules.ts';
import { realServicesConfig } from '../support/services.ts';

const running: RunningPlatform[] = [];
afterAll(async () => {
  for (const p of running) await p.stop();
});

describe.each([
  ['auth-service', [authModule]],
  ['payment-service', [paymentModule]],
  ['transaction-service', [transactionModule]],
  ['all-in-one', allModules],
])('%s entrypoint against real PostgreSQL, Redis and Kafka', (service, modules) => {
  let p: RunningPlatform;
  it('starts', async () => {
    p = await startPlatform({ service, modules, config: realServicesConfig() });
    running.push(p);
  });

  it('answers /healthz', async () => {
    const r = await fetch(`${p.url}/healthz`);
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ meta: { code: '200' }, data: { status: 'ok', service } });
  });

  it('reports PostgreSQL, Redis and Kafka in /readyz', async () => {
    const r = await fetch(`${p.url}/readyz`);
    const body = (await r.json()) as { data: { checks: { name: string; status: string }[] } };
    expect(r.status).toBe(200);
    expect(body.data.checks.map((c) => [c.name, c.status])).toEqual([
      ['postgres', 'up'],
      ['redis', 'up'],
      ['kafka', 'up'],
    ]);
  });

  it('serves /metrics, /openapi.json and /docs', async () => {
    const m = await fetch(`${p.url}/metrics`);
    expect(await m.text()).toContain('http_request_duration_seconds');
    const o = (await (await fetch(`${p.url}/openapi.json`)).json()) as { openapi: string };
    expect(o.openapi).toBe('3.1.0');
    const d = await fetch(`${p.url}/docs`);
    expect(d.headers.get('content-type')).toContain('text/html');
  });

  it('answers unknown routes in the envelope with a request id, echoing the client one', async () => {
    const r = await fetch(`${p.url}/api/nowhere`, { headers: { 'X-Request-Id': 'abc-123' } });
    expect(r.status).toBe(404);
    expect(r.headers.get('x-request-id')).toBe('abc-123');
    expect(await r.json()).toEqual({ meta: { code: '404', message: 'route not found', error: 'NOT_FOUND', request_id: 'abc-123' }, data: null });
  });

  it('refuses bodies over 1 MiB with 413 and malformed JSON with 400', async () => {
    const big = await fetch(`${p.url}/api/nowhere`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ x: 'a'.repeat(1024 * 1024 + 10) }),
    });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { meta: { error: string } }).meta.error).toBe('PAYLOAD_TOO_LARGE');
    const bad = await fetch(`${p.url}/api/nowhere`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"x":' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { meta: { error: string } }).meta.error).toBe('MALFORMED_JSON');
  });
});

describe('readiness when a dependency is down', () => {
  it('names Kafka down but stays ready: requests do not need it (the outbox holds the events), and a broker restart must not take every replica out of the router', async () => {
    const p = await startPlatform({ service: 'auth-service', modules: [authModule], config: realServicesConfig({ KAFKA_BROKERS: '127.0.0.1:1' }) });
    try {
      const r = await fetch(`${p.url}/readyz`);
      expect(r.status).toBe(200);
      const body = (await r.json()) as { data: { checks: { name: string; status: string; optional?: boolean }[] } };
      expect(body.data.checks.find((c) => c.name === 'kafka')).toMatchObject({ status: 'down', optional: true });
      expect(body.data.checks.find((c) => c.name === 'postgres')?.status).toBe('up');
    } finally {
      await p.stop();
    }
  });
});

describe('readiness when a required dependency is down', () => {
  it('answers 503 and names the dependency', async () => {
    const p = await startPlatform({ service: 'auth-service', modules: [authModule], config: realServicesConfig({ REDIS_URL: 'redis://127.0.0.1:1/0' }) });
    try {
      const r = await fetch(`${p.url}/readyz`);
      expect(r.status).toBe(503);
      const body = (await r.json()) as { data: { checks: { name: string; status: string }[] } };
      expect(body.data.checks.find((c) => c.name === 'redis')?.status).toBe('down');
      expect(body.data.checks.find((c) => c.name === 'postgres')?.status).toBe('up');
    } finally {
      await p.stop();
    }
  });
});

describe('graceful shutdown', () => {
  it('finishes an in-flight request, then refuses new connections', async () => {
    const p = await startPlatform({ service: 'payment-service', modules: [paymentModule], config: realServicesConfig() });
    // An in-flight request: its body arrives in two parts, with the shutdown starting in between.
    const { request } = await import('node:http');
    let sent!: () => void;
    const headersSent = new Promise<void>((r) => (sent = r));
    const inflight = new Promise<number>((resolve, reject) => {
      const req = request(
        `${p.url}/api/nowhere`,
        { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.write('{"a":');
      setTimeout(() => {
        sent();
        setTimeout(() => req.end('1}'), 300);
      }, 200);
    });
    await headersSent;
    const stopping = p.stop();
    expect(await inflight).toBe(404);
    await stopping;
    await expect(fetch(`${p.url}/healthz`)).rejects.toThrow();
  });
});
