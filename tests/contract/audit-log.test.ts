import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditLog } from '../../src/domain/audit/audit-log.ts';
import { AuditTrail } from '../../src/application/audit/audit-trail.ts';
import { InMemoryAuditLog } from '../../src/adapters/memory/in-memory-audit-log.ts';
import { PostgresAuditLog } from '../../src/adapters/persistence/audit/postgres-audit-log.ts';
import { Ed25519CheckpointSigner } from '../../src/adapters/security/ed25519-checkpoint-signer.ts';
import { createOrm, type Orm } from '../../src/adapters/persistence/orm.ts';
import { eventHash, GENESIS_HASH, type NewAuditEvent } from '../../src/domain/audit/audit-event.ts';
import { createIsolatedDatabase } from '../support/isolated-database.ts';

// Its own database: the chain is global, and other suites append to the shared test database's.
let db: Awaited<ReturnType<typeof createIsolatedDatabase>>;
let orm: Orm;
beforeAll(async () => {
  db = await createIsolatedDatabase('onegate_auditc');
  orm = await createOrm({ url: db.url, poolMax: 4 });
});
afterAll(async () => {
  await orm?.close(true);
  await db?.drop();
});

const { privateKey } = generateKeyPairSync('ed25519');
const signingKey = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

const event = (n: number, over: Partial<NewAuditEvent> = {}): NewAuditEvent => ({
  category: 'OPERATOR',
  action: 'accounts.suspend',
  actor: { type: 'operator', id: 'alice' },
  object: { type: 'account', id: `acc-${n}` },
  before: { status: 'ACTIVE' },
  after: { status: 'SUSPENDED', amount: 10n, nested: { z: 1, a: [2, 'x'] } },
  source: { ip: '10.0.0.1', userAgent: 'test' },
  requestId: `req-${n}`,
  ...over,
});

// One suite, run against every adapter of the port.
describe.each<[string, () => AuditLog]>([
  ['InMemoryAuditLog', () => new InMemoryAuditLog()],
  ['PostgresAuditLog', () => new PostgresAuditLog(orm)],
])('AuditLog contract: %s', (_name, make) => {
  let log: AuditLog;
  let trail: AuditTrail;
  beforeAll(() => {
    log = make();
    trail = new AuditTrail(log, { signer: new Ed25519CheckpointSigner(signingKey, undefined), checkpointEvery: 5 });
  });

  it('chains appends from the genesis hash, storing exactly what it hashed', async () => {
    const first = await trail.record(event(1));
    expect(first.seq).toBe(1);
    expect(first.prevHash).toBe(GENESIS_HASH);
    expect(first.after).toEqual({ status: 'SUSPENDED', amount: '10', nested: { z: 1, a: [2, 'x'] } });
    const second = await trail.record(event(2));
    expect(second.prevHash).toBe(first.hash);
    const stored = await log.at(2);
    expect(stored).toEqual(second);
    expect(eventHash(stored!)).toBe(stored!.hash);
    expect(await log.head()).toEqual({ seq: 2, hash: second.hash });
  });

  it('forms one gapless chain under concurrent appends', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => trail.record(event(100 + i))));
    const seqs: number[] = [];
    for await (const e of log.scan(1, 7)) seqs.push(e.seq);
    expect(seqs).toEqual(Array.from({ length: 22 }, (_, i) => i + 1));
    const report = await trail.verify();
    expect(report).toMatchObject({ ok: true, checked: 22, lastSeq: 22, headSeq: 22, checkpointsVerified: 4, problem: null });
  });

  it('signs a checkpoint every N events and on demand', async () => {
    expect((await log.checkpoints()).map((c) => c.seq)).toEqual([5, 10, 15, 20]);
    const c = await trail.checkpoint();
    expect(c?.seq).toBe(22);
    expect((await log.checkpoints(21)).map((x) => x.seq)).toEqual([22]);
  });

  it('queries newest first with filters and a seq cursor', async () => {
    await trail.record(
      event(200, { category: 'SECURITY', action: 'auth.login_locked', actor: { type: 'system', id: 'auth' }, object: { type: 'login', id: null } }),
    );
    await trail.record(event(201, { action: 'keys.revoke', object: { type: 'api_key', id: 'k1' } }));
    const all = await log.query({ limit: 3 });
    expect(all.map((e) => e.seq)).toEqual([24, 23, 22]);
    expect((await log.query({ limit: 10, category: 'SECURITY' })).map((e) => e.action)).toEqual(['auth.login_locked']);
    expect((await log.query({ limit: 10, action: 'keys.' })).map((e) => e.object.id)).toEqual(['k1']);
    expect((await log.query({ limit: 10, action: 'keys' })).length).toBe(0);
    expect((await log.query({ limit: 2, beforeSeq: 3 })).map((e) => e.seq)).toEqual([2, 1]);
    expect((await log.query({ limit: 100, objectType: 'account', objectId: 'acc-1' })).map((e) => e.seq)).toEqual([1]);
    const future = new Date(Date.now() + 60_000);
    expect(await log.query({ limit: 10, from: future })).toEqual([]);
    expect((await log.query({ limit: 100, to: future })).length).toBe(24);
  });

  it('verifies from a given seq, anchored on the event before it', async () => {
    expect(await trail.verify(20)).toMatchObject({ ok: true, fromSeq: 20, checked: 5, checkpointsVerified: 2 });
  });
});
