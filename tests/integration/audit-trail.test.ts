import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditTrail } from '../../src/application/audit/audit-trail.ts';
import { PostgresAuditLog } from '../../src/adapters/persistence/audit/postgres-audit-log.ts';
import { Ed25519CheckpointSigner } from '../../src/adapters/security/ed25519-checkpoint-signer.ts';
import { createOrm, type Orm } from '../../src/adapters/persistence/orm.ts';
import { eventHash, type AuditEvent } from '../../src/domain/audit/audit-event.ts';
import { createIsolatedDatabase } from '../support/isolated-database.ts';
import { requireEnv, uniq } from '../support/services.ts';

/*
 * The tamper test: a superuser edits, deletes, reorders and rewrites audit_events behind the
 * application's back; `verify` (and `npm run admin -- audit verify`) names the first bad event.
 * And the grants: the services' role can insert but never update, delete or truncate.
 */
const run = promisify(execFile);
let db: Awaited<ReturnType<typeof createIsolatedDatabase>>;
let orm: Orm;
let su: pg.Client;
let trail: AuditTrail;
const { privateKey } = generateKeyPairSync('ed25519');
const signingKey = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

beforeAll(async () => {
  db = await createIsolatedDatabase('onegate_auditt');
  orm = await createOrm({ url: db.url, poolMax: 2 });
  trail = new AuditTrail(new PostgresAuditLog(orm), { signer: new Ed25519CheckpointSigner(signingKey, undefined), checkpointEvery: 4 });
  for (let i = 1; i <= 10; i++) {
    await trail.record({
      category: 'OPERATOR',
      action: 'accounts.credit',
      actor: { type: 'operator', id: 'ops' },
      object: { type: 'account', id: `a${i}` },
      after: { amount: `${i}000.00` },
      requestId: `r${i}`,
    });
  }
  su = new pg.Client({ connectionString: db.url });
  await su.connect();
  // Triggers off for this superuser session only: what a DBA bypassing the application could do.
  await su.query(`set session_replication_role = replica`);
});
afterAll(async () => {
  await su?.end();
  await orm?.close(true);
  await db?.drop();
});

const row = async (seq: number) => (await su.query(`select * from audit_events where seq = $1`, [seq])).rows[0] as Record<string, unknown>;
const reinsert = async (r: Record<string, unknown>) => {
  const cols = Object.keys(r);
  await su.query(
    `insert into audit_events (${cols.join(',')}) values (${cols.map((_, i) => `$${i + 1}`).join(',')})`,
    cols.map((c) => (r[c] !== null && typeof r[c] === 'object' && !(r[c] instanceof Date) ? JSON.stringify(r[c]) : r[c])),
  );
};

async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  const env = {
    PATH: process.env.PATH,
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    REDIS_URL: requireEnv('TEST_REDIS_URL'),
    KAFKA_BROKERS: requireEnv('TEST_KAFKA_BROKERS'),
    LOG_LEVEL: 'silent',
    AUDIT_SIGNING_KEY: signingKey,
  };
  try {
    const { stdout } = await run(process.execPath, ['src/entrypoints/admin/main.ts', ...args, '--json'], { env, timeout: 60_000 });
    return { code: 0, out: stdout };
  } catch (err) {
    const e = err as { code: number; stdout: string };
    return { code: e.code, out: e.stdout };
  }
}

describe('audit trail: append-only grants and triggers', () => {
  it("refuses UPDATE, DELETE and TRUNCATE to the services' role, which can still append", async () => {
    const role = uniq('onegate_svc_').toLowerCase();
    await su.query(`create role ${role} login password 'pw' in role onegate_app`);
    const url = new URL(db.url);
    url.username = role;
    url.password = 'pw';
    const svc = await createOrm({ url: url.toString(), poolMax: 1 });
    const c = new pg.Client({ connectionString: url.toString() });
    await c.connect();
    try {
      const stored = await new PostgresAuditLog(svc).append({
        category: 'SECURITY',
        action: 'auth.login_locked',
        actor: { type: 'system', id: 'auth' },
        object: { type: 'login', id: null },
      });
      expect(stored.seq).toBe(11);
      await expect(c.query(`update audit_events set action = 'x' where seq = 1`)).rejects.toThrow(/permission denied/);
      await expect(c.query(`delete from audit_events where seq = 1`)).rejects.toThrow(/permission denied/);
      await expect(c.query(`truncate audit_events`)).rejects.toThrow(/permission denied/);
      await expect(c.query(`delete from audit_checkpoints`)).rejects.toThrow(/permission denied/);
      // The role keeps its ordinary privileges elsewhere.
      expect((await c.query(`select count(*)::int as n from users`)).rows[0].n).toBeGreaterThanOrEqual(0);
    } finally {
      await c.end();
      await svc.close(true);
      await su.query(`drop owned by ${role}; drop role ${role}`);
    }
  });

  it('refuses UPDATE and DELETE even to a superuser while the trigger is on', async () => {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      await expect(c.query(`update audit_events set action = 'x' where seq = 1`)).rejects.toThrow(/append-only/);
      await expect(c.query(`delete from audit_events where seq = 1`)).rejects.toThrow(/append-only/);
      await expect(c.query(`truncate audit_events`)).rejects.toThrow(/append-only/);
    } finally {
      await c.end();
    }
  });
});

describe('audit trail: tamper detection', () => {
  it('passes on the untouched trail, with its checkpoints verified', async () => {
    expect(await trail.verify()).toMatchObject({ ok: true, checked: 11, checkpointsVerified: 2, problem: null });
  });

  it('names an edited event (and passes again once it is restored)', async () => {
    const original = await row(4);
    await su.query(`update audit_events set after = '{"amount":"9999999.00"}' where seq = 4`);
    expect((await trail.verify()).problem).toMatchObject({ kind: 'edited', seq: 4, id: original.id });
    await su.query(`update audit_events set after = $1 where seq = 4`, [JSON.stringify(original.after)]);
    expect((await trail.verify()).ok).toBe(true);
  });

  it('names an edited timestamp or actor', async () => {
    const original = await row(6);
    await su.query(`update audit_events set occurred_at = occurred_at - interval '1 day' where seq = 6`);
    expect((await trail.verify()).problem).toMatchObject({ kind: 'edited', seq: 6 });
    await su.query(`update audit_events set occurred_at = $1, actor_id = 'someone-else' where seq = 6`, [original.occurred_at]);
    expect((await trail.verify()).problem).toMatchObject({ kind: 'edited', seq: 6 });
    await su.query(`update audit_events set actor_id = $1 where seq = 6`, [original.actor_id]);
    expect((await trail.verify()).ok).toBe(true);
  });

  it('names a deleted event', async () => {
    const original = await row(3);
    await su.query(`delete from audit_events where seq = 3`);
    expect((await trail.verify()).problem).toMatchObject({ kind: 'missing', seq: 3 });
    await reinsert(original);
    expect((await trail.verify()).ok).toBe(true);
  });

  it('names reordered events', async () => {
    await su.query(
      `update audit_events set seq = -1 where seq = 7; update audit_events set seq = 7 where seq = 8; update audit_events set seq = 8 where seq = -1`,
    );
    const problem = (await trail.verify()).problem;
    expect(problem?.seq).toBe(7);
    expect(['edited', 'broken_link']).toContain(problem?.kind);
    await su.query(
      `update audit_events set seq = -1 where seq = 7; update audit_events set seq = 7 where seq = 8; update audit_events set seq = 8 where seq = -1`,
    );
    expect((await trail.verify()).ok).toBe(true);
  });

  it('finds a deleted tail (the head and the checkpoints remember it)', async () => {
    const last = await row(11);
    await su.query(`delete from audit_events where seq = 11`);
    expect((await trail.verify()).problem).toMatchObject({ kind: 'truncated', seq: 11 });
    await reinsert(last);
    expect((await trail.verify()).ok).toBe(true);
  });

  it('finds a consistently rewritten chain through the signed checkpoints, and a forged checkpoint', async () => {
    const saved = (await su.query(`select * from audit_events where seq >= 2 order by seq`)).rows as Record<string, unknown>[];
    const savedHead = (await su.query(`select seq, hash from audit_chain_head`)).rows[0];
    // Edit event 2, then recompute every later hash and the head, as an attacker with the code would.
    const events: AuditEvent[] = [];
    for await (const e of new PostgresAuditLog(orm).scan(1)) events.push(e);
    events[1]!.after = { amount: '1.00' };
    for (let i = 1; i < events.length; i++) {
      events[i]!.prevHash = events[i - 1]!.hash;
      events[i]!.hash = eventHash(events[i]!);
      await su.query(`update audit_events set after = $1, prev_hash = $2, hash = $3 where seq = $4`, [
        JSON.stringify(events[i]!.after),
        events[i]!.prevHash,
        events[i]!.hash,
        events[i]!.seq,
      ]);
    }
    await su.query(`update audit_chain_head set seq = $1, hash = $2`, [events.at(-1)!.seq, events.at(-1)!.hash]);
    const problem = (await trail.verify()).problem;
    expect(problem).toMatchObject({ kind: 'checkpoint', seq: 4 });
    expect(problem!.message).toMatch(/rewritten at or before/);

    // The attacker also re-signs the checkpoint's hash without the key: the signature fails.
    await su.query(`update audit_checkpoints set hash = $1 where seq = 4`, [events[3]!.hash]);
    expect((await trail.verify()).problem).toMatchObject({ kind: 'checkpoint', seq: 4 });
    expect((await trail.verify()).problem!.message).toMatch(/invalid signature/);

    // Restore everything.
    await su.query(`delete from audit_events where seq >= 2`);
    for (const r of saved) await reinsert(r);
    await su.query(`update audit_chain_head set seq = $1, hash = $2`, [savedHead.seq, savedHead.hash]);
    await su.query(`update audit_checkpoints set hash = (select hash from audit_events where seq = 4) where seq = 4`);
    expect((await trail.verify()).ok).toBe(true);
  });

  it('`npm run admin -- audit verify` passes, then names the edited event and exits 1', { timeout: 120_000 }, async () => {
    const ok = await cli('audit', 'verify');
    expect(ok.code, ok.out).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({ ok: true, problem: null });
    const original = await row(5);
    await su.query(`update audit_events set object_id = 'other' where seq = 5`);
    const bad = await cli('audit', 'verify', '--from', '2');
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.out)).toMatchObject({ ok: false, fromSeq: 2, problem: { kind: 'edited', seq: 5, id: original.id } });
    await su.query(`update audit_events set object_id = $1 where seq = 5`, [original.object_id]);
    // Each verify recorded its outcome in the trail itself (what the audit_verify_failed metric reads).
    const outcomes = (await su.query(`select details->>'ok' as ok from audit_events where action = 'audit.verify' order by seq`)).rows.map((r) => r.ok);
    expect(outcomes).toEqual(['true', 'false']);
    expect((await trail.verify()).ok).toBe(true);
  });
});
