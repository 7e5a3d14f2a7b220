import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createOrm, type Orm } from '../../src/adapters/persistence/orm.ts';
import { PostgresIdempotencyStore } from '../../src/adapters/persistence/idempotency/postgres-idempotency.store.ts';
import { authenticate } from '../../src/adapters/http/authenticate.ts';
import { idempotent } from '../../src/adapters/http/idempotency.ts';
import { defineRoute } from '../../src/adapters/http/route.ts';
import { jsonInteger } from '../../src/adapters/http/json-number.ts';
import { respond } from '../../src/adapters/http/envelope.ts';
import { idempotencyLeaseSeconds, loadConfig } from '../../src/entrypoints/shared/config.ts';
import { startPlatform, type RunningPlatform } from '../../src/entrypoints/shared/platform.ts';
import type { ServiceModule } from '../../src/entrypoints/shared/service-module.ts';
import { CORE } from '../../src/entrypoints/composition/ids.ts';
import { realServicesConfig, requireEnv, uniq } from '../support/services.ts';
import { accessTokenFor } from '../support/tokens.ts';

// Issue 16, defect 4: the claim lease was hard-coded to 60 s, so a keyed retry after a crash was
// refused for a minute with no hint of when to come back.
describe('Idempotency-Key claim lease', () => {
  it('follows the request timeout unless set, and is configurable', () => {
    expect(idempotencyLeaseSeconds(loadConfig({}))).toBe(35);
    expect(idempotencyLeaseSeconds(loadConfig({ HTTP_REQUEST_TIMEOUT_MS: '8000' }))).toBe(13);
    expect(idempotencyLeaseSeconds(loadConfig({ HTTP_REQUEST_TIMEOUT_MS: '8000', IDEMPOTENCY_LEASE_SECONDS: '20' }))).toBe(20);
    expect(() => loadConfig({ IDEMPOTENCY_LEASE_SECONDS: '0' })).toThrow(/IDEMPOTENCY_LEASE_SECONDS/);
  });

  let orm: Orm;
  beforeAll(async () => {
    orm = await createOrm({ url: requireEnv('TEST_DATABASE_URL'), poolMax: 2 });
  });
  afterAll(() => orm.close(true));

  it('a claim still in flight is refused with the lease time left as retryAfterSeconds', async () => {
    const store = new PostgresIdempotencyStore(orm, { leaseSeconds: 40, retentionSeconds: 3600 });
    const s = { userId: 1, route: 'lease.route', key: uniq('key-'), requestHash: 'c'.repeat(64) };
    expect((await store.begin(s)).kind).toBe('claimed');
    const err = await store.begin(s).then(
      () => null,
      (e: unknown) => e as { code: string; details?: { retryAfterSeconds?: number } },
    );
    expect(err?.code).toBe('IDEMPOTENCY_KEY_IN_FLIGHT');
    expect(err?.details?.retryAfterSeconds).toBeGreaterThanOrEqual(38);
    expect(err?.details?.retryAfterSeconds).toBeLessThanOrEqual(40);
  });
});

describe('409 IDEMPOTENCY_KEY_IN_FLIGHT over HTTP', () => {
  let p: RunningPlatform;
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const testModule: ServiceModule = {
    name: 'payment',
    routes(router, openapi, container) {
      defineRoute(
        router,
        openapi,
        {
          method: 'post',
          path: '/test/slow',
          operationId: 'testSlow',
          summary: 'a request that holds its claim',
          tag: 'test',
          security: 'bearer',
          body: z.object({ n: jsonInteger }),
          idempotent: true,
          responses: { 201: { description: 'created', data: z.object({ ok: z.boolean() }) } },
          middleware: [authenticate(container.get(CORE.AccessTokens)), idempotent(container.get(CORE.IdempotencyStore), 'test.slow')],
        },
        async (ctx) => {
          await held;
          respond(ctx, 201, 'created', { ok: true });
        },
      );
    },
  };
  beforeAll(async () => {
    p = await startPlatform({ service: 'payment-service', modules: [testModule], config: realServicesConfig({ HTTP_REQUEST_TIMEOUT_MS: '10000' }) });
  });
  afterAll(() => p.stop());

  it('carries Retry-After = the remaining lease (request timeout + 5 s)', async () => {
    const token = accessTokenFor(p, { userId: 4343, username: 'lease' });
    const key = uniq('k-');
    const post = () =>
      fetch(`${p.url}/test/slow`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify({ n: 1 }),
      });
    const first = post();
    await new Promise((r) => setTimeout(r, 500)); // the first request holds the claim
    const second = await post();
    expect(second.status).toBe(409);
    expect(((await second.json()) as { meta: { error: string } }).meta.error).toBe('IDEMPOTENCY_KEY_IN_FLIGHT');
    const retryAfter = Number(second.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(13);
    expect(retryAfter).toBeLessThanOrEqual(15);
    release();
    expect((await first).status).toBe(201);
    const replay = await post();
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
  });
});
