import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type RunningPlatform } from '../../src/entrypoints/shared/platform.ts';
import { allModules } from '../../src/entrypoints/all-in-one/modules.ts';
import { CORE } from '../../src/entrypoints/composition/ids.ts';
import type { AuditTrail } from '../../src/application/audit/audit-trail.ts';
import type { Orm } from '../../src/adapters/persistence/orm.ts';
import { realServicesConfig, uniq } from '../support/services.ts';
import { eventually, issueTestKey } from '../support/transaction-fixtures.ts';

/*
 * The audit trail through the HTTP API: security refusals recorded by the services themselves
 * (login lockout, bad webhook signature, a regulator over its limit), the JWT signer key at start,
 * and regulators reading it all with READ_AUDIT, cursor pages, personal data masked, each read in
 * the access log. Other suites append to the same trail at the same time: assertions look for
 * this suite's own events (by request id or object), never for exact counts.
 */
let p: RunningPlatform;
let orm: Orm;
let trail: AuditTrail;
const started = new Date(Date.now() - 1000);

beforeAll(async () => {
  p = await startPlatform({
    service: 'all-in-one',
    modules: allModules,
    config: realServicesConfig({ KAFKA_TOPIC_TRANSACTIONS: uniq('tx-audit-'), KAFKA_CONSUMER_GROUP: uniq('grp-audit-') }),
  });
  orm = p.infra.orm;
  trail = p.container.get(CORE.AuditTrail);
});
afterAll(async () => {
  await p?.stop();
});

interface Body {
  meta: { code: string; error?: string; next_cursor?: string | null; size?: number };
  data: Record<string, unknown>[];
}
async function get(path: string, key?: string): Promise<{ status: number; body: Body }> {
  const r = await fetch(`${p.url}${path}`, { headers: key ? { 'X-API-Key': key } : {} });
  return { status: r.status, body: (await r.json()) as Body };
}
const since = `from=${encodeURIComponent(started.toISOString())}`;

describe('security events recorded by the services', () => {
  it('records a login lockout once, with the source address and request id', async () => {
    const who = uniq('nobody');
    let locked: Response | undefined;
    for (let i = 0; i < 8 && !locked; i++) {
      const r = await fetch(`${p.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'audit-test' },
        body: JSON.stringify({ username: who, password: 'wrong-password' }),
      });
      if (r.status === 429) locked = r;
    }
    expect(locked?.status).toBe(429);
    const requestId = locked!.headers.get('x-request-id');
    const [e] = await eventually(async () => {
      const rows = (await trail.log.query({ action: 'auth.login_locked', from: started, limit: 100 })).filter((x) => x.requestId === requestId);
      expect(rows).toHaveLength(1);
      return rows;
    });
    expect(e).toMatchObject({
      category: 'SECURITY',
      actor: { type: 'system', id: 'all-in-one' },
      userAgent: 'audit-test',
      details: { code: 'TOO_MANY_LOGIN_ATTEMPTS', status: 429 },
    });
    expect(e!.sourceIp).toMatch(/127\.0\.0\.1/);
    // The next refused attempt from the same address within the minute is not recorded again.
    const again = await fetch(`${p.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: who, password: 'x' }),
    });
    expect(again.status).toBe(429);
    await new Promise((r) => setTimeout(r, 200));
    expect(
      (await trail.log.query({ action: 'auth.login_locked', from: started, limit: 1000 })).filter((x) => x.requestId === again.headers.get('x-request-id')),
    ).toHaveLength(0);
  });

  it('records a webhook notification refused for its signature', async () => {
    const r = await fetch(`${p.url}/api/payment/webhooks/gopay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': 'forged', 'x-timestamp': new Date().toISOString() },
      body: '{"transaction_id":"x"}',
    });
    expect(r.status).toBe(401);
    const requestId = r.headers.get('x-request-id');
    const rows = (await trail.log.query({ action: 'webhook.signature_rejected', from: started, limit: 100 })).filter((x) => x.requestId === requestId);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.object).toEqual({ type: 'webhook', id: 'gopay' });
  });

  it("records a regulator's rate-limit refusal under its key prefix", async () => {
    const { key, apiKey } = await issueTestKey(orm, { permissions: ['READ_AUDIT'], rateLimits: { second: 1 } });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await get(`/api/transaction/audit?${since}&size=1`, key)).status);
    expect(statuses).toContain(429);
    const rows = await trail.log.query({ action: 'regulator.rate_limited', objectType: 'api_key', objectId: apiKey.id, limit: 10 });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.actor).toEqual({ type: 'api_key', id: apiKey.prefix });
  });

  it('records the JWT signing key in use (a configuration event), once per key', async () => {
    const rows = await trail.log.query({ action: 'config.jwt_signer_key', limit: 1 });
    expect(rows[0]).toMatchObject({ category: 'CONFIGURATION', object: { type: 'jwt_signing_key' } });
    expect(rows[0]!.after).toEqual({ kid: rows[0]!.object.id });
  });
});

describe('GET /api/transaction/audit (READ_AUDIT)', () => {
  it('refuses a key without READ_AUDIT (403), no key (401), a key in the query (400)', async () => {
    const { key } = await issueTestKey(orm, { permissions: ['READ_TRANSACTIONS'] });
    expect((await get(`/api/transaction/audit`, key)).body.meta.error).toBe('PERMISSION_DENIED');
    expect((await get(`/api/transaction/audit`)).status).toBe(401);
    expect((await get(`/api/transaction/audit?api_key=${key}`)).status).toBe(400);
  });

  it('pages newest first with a cursor, filtered by type and window, personal data masked', async () => {
    const { key } = await issueTestKey(orm, { permissions: ['READ_AUDIT'] });
    // An operator event with personal data in it, as a command would record.
    const mine = await trail.record({
      category: 'OPERATOR',
      action: 'users.grant-admin',
      actor: { type: 'operator', id: 'ops-anna' },
      object: { type: 'user', id: '42' },
      before: { role: 'USER' },
      after: { role: 'ADMIN', phone: '+6281234567890', email: 'someone@example.com', username: 'someone' },
      source: { ip: '203.0.113.77', userAgent: 'cli' },
      requestId: uniq('req-'),
    });
    const seen: Record<string, unknown>[] = [];
    let cursor = '';
    for (let page = 0; page < 50; page++) {
      const r = await get(`/api/transaction/audit?${since}&type=OPERATOR&size=2&cursor=${cursor}`, key);
      expect(r.status).toBe(200);
      expect(r.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...r.body.data);
      if (!r.body.meta.next_cursor) break;
      cursor = r.body.meta.next_cursor;
    }
    const seqs = seen.map((e) => e.seq as number);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seen.every((e) => e.type === 'OPERATOR')).toBe(true);
    const shown = seen.find((e) => e.id === mine.id)!;
    expect(shown).toMatchObject({
      seq: mine.seq,
      action: 'users.grant-admin',
      actor: { type: 'operator', id: 'ops-anna' },
      before: { role: 'USER' },
      after: { role: 'ADMIN', phone: '+62812****7890', email: '[redacted]', username: '[redacted]' },
      source: { ip: '203.0.113.x', user_agent: 'cli' },
      request_id: mine.requestId,
      hash: mine.hash,
      prev_hash: mine.prevHash,
    });
    expect(JSON.stringify(seen)).not.toContain('someone@example.com');
    expect(JSON.stringify(seen)).not.toContain('203.0.113.77');
  });

  it('validates the window and the cursor like the histories', async () => {
    const { key } = await issueTestKey(orm, { permissions: ['READ_AUDIT'] });
    expect((await get(`/api/transaction/audit?from=2026-12-02&to=2026-12-01`, key)).body.meta.error).toBe('INVALID_RANGE');
    expect((await get(`/api/transaction/audit?from=yesterday`, key)).status).toBe(400);
    expect((await get(`/api/transaction/audit?cursor=bm90LWEtY3Vyc29y`, key)).body.meta.error).toBe('INVALID_CURSOR');
    expect((await get(`/api/transaction/audit?type=NOPE`, key)).status).toBe(400);
    const past = await get(`/api/transaction/audit?from=2001-01-01&to=2001-01-02`, key);
    expect(past).toMatchObject({ status: 200, body: { data: [], meta: { next_cursor: null } } });
  });

  it('logs every read in the access log', async () => {
    const { key, apiKey } = await issueTestKey(orm, { permissions: ['READ_AUDIT'] });
    await get(`/api/transaction/audit?size=1`, key);
    await get(`/api/transaction/audit?size=1&type=SECURITY`, key);
    await eventually(async () => {
      const rows = (await orm.em.fork().execute(`select endpoint, response_status from api_access_logs where api_key_id = ?`, [apiKey.id])) as {
        endpoint: string;
        response_status: number;
      }[];
      expect(rows).toEqual([
        { endpoint: '/api/transaction/audit', response_status: 200 },
        { endpoint: '/api/transaction/audit', response_status: 200 },
      ]);
    });
  });
});

describe('audit metrics', () => {
  it('counts events written by category and action, and exposes the verify outcome and checkpoint age', async () => {
    await trail.record({
      category: 'OPERATOR',
      action: 'accounts.suspend',
      actor: { type: 'operator', id: 'ops' },
      object: { type: 'account', id: uniq('acc-') },
    });
    const text = await (await fetch(`${p.url}/metrics`)).text();
    expect(text).toMatch(/^audit_events_written_total\{[^}]*category="OPERATOR",action="accounts.suspend"[^}]*\} [1-9]/m);
    expect(text).toMatch(/^audit_events_written_total\{[^}]*category="SECURITY",action="auth.login_locked"[^}]*\} 1$/m);
    expect(text).toContain('# TYPE audit_write_failures_total counter');
    expect(text).toContain('# TYPE audit_verify_failed gauge');
    expect(text).toContain('# TYPE audit_checkpoint_age_seconds gauge');
  });
});
