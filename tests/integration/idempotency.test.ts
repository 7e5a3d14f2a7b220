import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createOrm, type Orm } from '../../src/adapters/persistence/orm.ts';
import { PostgresIdempotencyStore } from '../../src/adapters/persistence/idempotency/postgres-idempotency.store.ts';
import { appendOutboxEvent } from '../../src/adapters/persistence/outbox.ts';
import { emOf, runUnit } from '../../src/adapters/persistence/unit-of-work.ts';
import { idempotencyRecord } from '../../src/application/ports/idempotency.ts';
import { authenticate } from '../../src/adapters/http/authenticate.ts';
import { idempotent, type RequestIdempotency } from '../../src/adapters/http/idempotency.ts';
import { defineRoute } from '../../src/adapters/http/route.ts';
import { jsonInteger } from '../../src/adapters/http/json-number.ts';
import { respond } from '../../src/adapters/http/envelope.ts';
import { DomainError } from '../../src/domain/shared/domain-error.ts';
import { startPlatform, type RunningPlatform } from '../../src/entrypoints/shared/platform.ts';
import type { ServiceModule } from '../../src/entrypoints/shared/service-module.ts';
import { CORE } from '../../src/entrypoints/composition/ids.ts';
import { realServicesConfig, requireEnv, uniq } from '../support/services.ts';
import { accessTokenFor } from '../support/tokens.ts';

let orm: Orm;
let store: PostgresIdempotencyStore;
beforeAll(async () => {
  orm = await createOrm({ url: requireEnv('TEST_DATABASE_URL'), poolMax: 4 });
  store = new PostgresIdempotencyStore(orm, { leaseSeconds: 1, retentionSeconds: 3600 });
});
afterAll(() => orm.close(true));

const scope = (key = uniq('key-'), requestHash = 'a'.repeat(64)) => ({ userId: 1, route: 'test.route', key, requestHash });

describe('PostgresIdempotencyStore (real PostgreSQL)', () => {
  it('claims a new key, then replays the stored response', async () => {
    const s = scope();
    const first = await store.begin(s);
    expect(first.kind).toBe('claimed');
    if (first.kind !== 'claimed') return;
    await store.complete(first.claim, { status: 201, body: { ok: 1 } });
    expect(await store.begin(s)).toEqual({ kind: 'replay', response: { status: 201, body: { ok: 1 } } });
  });

  it('refuses another body with 422 and a concurrent duplicate with 409', async () => {
    const s = scope();
    await store.begin(s);
    await expect(store.begin({ ...s, requestHash: 'b'.repeat(64) })).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', kind: 'business_rule' });
    await expect(store.begin(s)).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_IN_FLIGHT', kind: 'conflict' });
  });

  it('lets a retry take over a dead claim after its lease, and the dead one can no longer complete', async () => {
    const s = scope();
    const dead = await store.begin(s);
    await new Promise((r) => setTimeout(r, 1200));
    const retry = await store.begin(s);
    expect(retry.kind).toBe('claimed');
    if (dead.kind !== 'claimed' || retry.kind !== 'claimed') return;
    await expect(store.complete(dead.claim, { status: 201, body: {} })).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_IN_FLIGHT' });
    await store.complete(retry.claim, { status: 201, body: { winner: 'retry' } });
    expect(await store.begin(s)).toMatchObject({ kind: 'replay', response: { body: { winner: 'retry' } } });
  });

  it('a completion inside a rolled-back transaction leaves the key claimable again', async () => {
    const s = scope();
    const c = await store.begin(s);
    if (c.kind !== 'claimed') throw new Error('not claimed');
    await expect(
      runUnit(
        orm,
        async () => {
          throw new Error('effect failed');
        },
        { idempotency: () => idempotencyRecord(c.claim, 'complete', { status: 201, body: {} }) },
      ),
    ).rejects.toThrow('effect failed');
    await store.release(c.claim);
    expect((await store.begin(s)).kind).toBe('claimed');
  });
});

// A route whose effect is an outbox row written in the same transaction as the stored response.
const topic = uniq('idem-effect-');
const testModule: ServiceModule = {
  name: 'payment',
  routes(router, openapi, container) {
    const o = container.get(CORE.Orm);
    defineRoute(
      router,
      openapi,
      {
        method: 'post',
        path: '/test/effects',
        operationId: 'testEffect',
        summary: 'test effect',
        tag: 'test',
        security: 'bearer',
        body: z.object({ n: jsonInteger, fail: z.boolean().optional() }),
        idempotent: true,
        responses: { 201: { description: 'created', data: z.object({ event_id: z.string(), n: z.number() }) } },
        errors: { 422: ['INSUFFICIENT_FUNDS'] },
        middleware: [authenticate(container.get(CORE.AccessTokens)), idempotent(container.get(CORE.IdempotencyStore), 'test.effects')],
      },
      async (ctx, { body }) => {
        if (body.fail) throw new DomainError('INSUFFICIENT_FUNDS', 'business_rule', 'insufficient balance');
        const idem = ctx.state.idempotency as RequestIdempotency | undefined;
        await new Promise((r) => setTimeout(r, 50));
        const data = await runUnit(
          o,
          async (tx) => {
            const e = await appendOutboxEvent(emOf(tx), { topic, type: 'test.effect', key: String(body.n), payload: { n: body.n } });
            return { event_id: e.event_id, n: body.n };
          },
          idem?.unit((result) => ({ status: 201, message: 'created', data: result })),
        );
        respond(ctx, 201, 'created', data);
      },
    );
  },
};

describe('Idempotency-Key over HTTP', () => {
  let p: RunningPlatform;
  let token: string;
  beforeAll(async () => {
    p = await startPlatform({ service: 'payment-service', modules: [testModule], config: realServicesConfig() });
    token = accessTokenFor(p, { userId: 4242, username: 'idem' });
  });
  afterAll(() => p.stop());
  const post = (key: string | undefined, body: unknown) =>
    fetch(`${p.url}/test/effects`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
      body: JSON.stringify(body),
    });
  const effects = async (n: number) =>
    (
      (await orm.em.getConnection().execute(`select count(*)::int as c from outbox_events where topic = ? and event_key = ?`, [topic, String(n)])) as [
        { c: number },
      ]
    )[0].c;

  it('50 concurrent requests with one key produce one effect; the rest replay it or get 409', async () => {
    const key = uniq('k-');
    const responses = await Promise.all(Array.from({ length: 50 }, () => post(key, { n: 1 })));
    const statuses = responses.map((r) => r.status);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(1);
    expect(await effects(1)).toBe(1);
    const bodies = await Promise.all(responses.filter((r) => r.status === 201).map((r) => r.json() as Promise<{ data: { event_id: string } }>));
    expect(new Set(bodies.map((b) => b.data.event_id)).size).toBe(1);
    const replay = await post(key, { n: 1 });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(((await replay.json()) as { data: { event_id: string } }).data.event_id).toBe(bodies[0]!.data.event_id);
  });

  it('the same key with another body → 422 IDEMPOTENCY_KEY_REUSED, and nothing happens', async () => {
    const key = uniq('k-');
    expect((await post(key, { n: 2 })).status).toBe(201);
    const r = await post(key, { n: 3 });
    expect(r.status).toBe(422);
    expect(((await r.json()) as { meta: { error: string } }).meta.error).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await effects(3)).toBe(0);
  });

  it('the same body in another key order is the same request', async () => {
    const key = uniq('k-');
    expect((await post(key, { n: 4, fail: false })).status).toBe(201);
    const again = await fetch(`${p.url}/test/effects`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key },
      body: '{"fail":false,"n":4}',
    });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await effects(4)).toBe(1);
  });

  it('replays a business-rule refusal, and refuses a malformed key', async () => {
    const key = uniq('k-');
    const first = await post(key, { n: 5, fail: true });
    expect(first.status).toBe(422);
    const second = await post(key, { n: 5, fail: true });
    expect(second.status).toBe(422);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect((await post('x'.repeat(256), { n: 6 })).status).toBe(400);
    expect((await post('bad key', { n: 6 })).status).toBe(400);
  });

  it('without the header every request runs', async () => {
    await post(undefined, { n: 7 });
    await post(undefined, { n: 7 });
    expect(await effects(7)).toBe(2);
  });
});
