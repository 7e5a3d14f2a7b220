import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrm, type Orm } from '../../src/adapters/persistence/orm.ts';
import { PostgresUserRepository } from '../../src/adapters/persistence/identity/postgres-user.repository.ts';
import { PostgresRefreshTokenFamilyRepository } from '../../src/adapters/persistence/identity/postgres-refresh-token-family.repository.ts';
import { OutboxIdentityEventLog } from '../../src/adapters/persistence/identity/outbox-identity-event-log.ts';
import { parseLoginIdentifier } from '../../src/domain/identity/credentials.ts';
import { userLoginFailed, userRegistered } from '../../src/domain/identity/identity.events.ts';
import { hashRefreshToken } from '../../src/domain/identity/refresh-token.ts';
import { rotate, startFamily } from '../../src/domain/identity/refresh-token-family.ts';
import { newUuid } from '../../src/domain/shared/ids.ts';
import { requireEnv, uniq } from '../support/services.ts';

let orm: Orm;
let users: PostgresUserRepository;
let families: PostgresRefreshTokenFamilyRepository;
const TOPIC = 'user-events-test';
beforeAll(async () => {
  orm = await createOrm({ url: requireEnv('TEST_DATABASE_URL'), poolMax: 6 });
  users = new PostgresUserRepository(orm, { topic: TOPIC });
  families = new PostgresRefreshTokenFamilyRepository(orm);
});
afterAll(() => orm.close(true));

const phone = () => `+62813${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}`;
function draft() {
  const name = uniq('r');
  return { username: name, email: `${name}@example.com`, phone: phone(), passwordHash: '$argon2id$fake' };
}
const register = (d = draft()) => users.registerWithAccount(d, (u, a) => userRegistered(u.id, u.username, a.id, u.createdAt));

describe('PostgresUserRepository (real PostgreSQL)', () => {
  it('creates the user, its ACTIVE 0.00 IDR account and the user.registered outbox row together', async () => {
    const { user, account } = await register();
    expect(user.id).toBeGreaterThan(0);
    expect(account).toMatchObject({ currency: 'IDR', accountStatus: 'ACTIVE' });
    expect(account.balance.toString()).toBe('0.00');
    expect(await users.accountOf(user.id)).toMatchObject({ id: account.id });
    const rows = (await orm.em.fork().execute(`select event_type, payload from outbox_events where topic = ? and event_key = ?`, [TOPIC, String(user.id)])) as {
      event_type: string;
      payload: { event_id: string; payload: { account_id: string } };
    }[];
    expect(rows).toHaveLength(1);
    expect(rows[0]!.event_type).toBe('user.registered');
    expect(rows[0]!.payload.payload.account_id).toBe(account.id);
  });

  it('maps each unique constraint to its field and leaves nothing behind', async () => {
    const first = draft();
    await register(first);
    for (const [field, clash] of [
      ['username', { username: first.username.toUpperCase() }],
      ['email', { email: first.email }],
      ['phone', { phone: first.phone }],
    ] as const) {
      const d = { ...draft(), ...clash };
      await expect(register(d)).rejects.toMatchObject({ code: `${field.toUpperCase()}_ALREADY_EXISTS`, kind: 'conflict' });
      const left = (await orm.em.fork().execute(`select count(*)::int as n from users where email = ? or phone = ?`, [d.email, d.phone])) as { n: number }[];
      expect(left[0]!.n).toBe(field === 'username' ? 0 : 1);
    }
  });

  it('under concurrent registrations of one name the constraint decides: one user, one 409', async () => {
    const name = uniq('race');
    const results = await Promise.allSettled(Array.from({ length: 4 }, () => register({ ...draft(), username: name })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'USERNAME_ALREADY_EXISTS' });
  });

  it('finds by username (any case), email and phone, each only in its own column', async () => {
    const { user } = await register();
    expect((await users.findByLogin(parseLoginIdentifier(user.username.toUpperCase())))?.id).toBe(user.id);
    expect((await users.findByLogin(parseLoginIdentifier(user.email.toUpperCase())))?.id).toBe(user.id);
    expect((await users.findByLogin(parseLoginIdentifier(user.phone.replace('+62', '0'))))?.id).toBe(user.id);
    expect(await users.findByLogin(parseLoginIdentifier(uniq('nobody')))).toBeNull();
    // A username made of digits that equals another user's phone number (registered before the
    // look-alike rule; the repository itself does not refuse it) never captures that phone's login.
    const other = await register();
    const digits = other.user.phone.replace('+62', '0');
    await register({ ...draft(), username: digits });
    expect((await users.findByLogin(parseLoginIdentifier(digits)))?.id).toBe(other.user.id);
    expect((await users.findByLogin(parseLoginIdentifier(digits.slice(1))))?.id).toBe(other.user.id);
  });

  it('changes roles and password hashes, lists by role', async () => {
    const { user } = await register();
    await users.setRole(user.id, 'ADMIN');
    await users.updatePasswordHash(user.id, '$argon2id$new');
    expect(await users.findById(user.id)).toMatchObject({ role: 'ADMIN', passwordHash: '$argon2id$new' });
    const admins = await users.list({ role: 'ADMIN', limit: 1000, offset: 0 });
    expect(admins.map((u) => u.id)).toContain(user.id);
    expect(admins.every((u) => u.role === 'ADMIN')).toBe(true);
  });
});

describe('PostgresRefreshTokenFamilyRepository (real PostgreSQL)', () => {
  async function newFamily(userId: number, token = uniq('tok')) {
    const now = new Date();
    const f = startFamily(newUuid(), userId, { hash: hashRefreshToken(token), accessJti: newUuid(), expiresAt: new Date(now.getTime() + 3600_000) }, now);
    await families.create(f);
    return f;
  }

  it('round-trips a family, rotates it under the lock, and finds it by a used hash', async () => {
    const { user } = await register();
    const f = await newFamily(user.id, 'first-token');
    const next = { hash: hashRefreshToken('second-token'), accessJti: newUuid(), expiresAt: new Date(Date.now() + 7200_000) };
    const rotated = await families.updateByTokenHash(hashRefreshToken('first-token'), async (found) => {
      expect(found).toMatchObject({ id: f.id, userId: user.id, usedHashes: [], revokedAt: null });
      const o = rotate(found!, hashRefreshToken('first-token'), next, new Date());
      return { save: o.kind === 'rotated' ? o.family : undefined, result: o.kind };
    });
    expect(rotated).toBe('rotated');
    const again = await families.updateByTokenHash(hashRefreshToken('first-token'), async (found) => ({ result: found }));
    expect(again).toMatchObject({ id: f.id, currentHash: next.hash, usedHashes: [hashRefreshToken('first-token')], accessJti: next.accessJti });
    expect(await families.updateByTokenHash(hashRefreshToken('never-issued'), async (found) => ({ result: found }))).toBeNull();
  });

  it('serialises concurrent changes of one family (the row lock)', async () => {
    const { user } = await register();
    await newFamily(user.id, 'racing-token');
    const hash = hashRefreshToken('racing-token');
    const outcomes = await Promise.all(
      [1, 2, 3].map((i) =>
        families.updateByTokenHash(hash, async (found) => {
          const o = rotate(
            found!,
            hash,
            { hash: hashRefreshToken(`next-${i}-${uniq()}`), accessJti: newUuid(), expiresAt: new Date(Date.now() + 3600_000) },
            new Date(),
          );
          await new Promise((r) => setTimeout(r, 30));
          return { save: o.kind === 'rotated' || o.kind === 'reused' ? o.family : undefined, result: o.kind };
        }),
      ),
    );
    expect(outcomes.sort()).toEqual(['reused', 'revoked', 'rotated']);
  });

  it('revokes by token hash or by session (family) id, only for the owner', async () => {
    const a = (await register()).user;
    const b = (await register()).user;
    const fa = await newFamily(a.id, 'a-token');
    expect(await families.revokeByTokenHash(b.id, hashRefreshToken('a-token'), 'LOGOUT')).toBeNull();
    expect(await families.revokeById(b.id, fa.id, 'LOGOUT')).toBeNull();
    expect(await families.revokeById(a.id, 'not-a-uuid', 'LOGOUT')).toBeNull();
    expect(await families.revokeById(a.id, fa.id, 'LOGOUT')).toMatchObject({ id: fa.id, revokedReason: 'LOGOUT' });
    expect(await families.revokeById(a.id, fa.id, 'LOGOUT')).toBeNull();
    expect(await families.revokeByTokenHash(a.id, hashRefreshToken('a-token'), 'LOGOUT')).toBeNull(); // already revoked
  });

  it('forgets a user’s long-expired families at their next login', async () => {
    const { user } = await register();
    const old = await newFamily(user.id);
    await orm.em.fork().execute(`update refresh_token_families set expires_at = now() - interval '2 days' where id = ?`, [old.id]);
    await newFamily(user.id);
    const rows = (await orm.em.fork().execute(`select id from refresh_token_families where user_id = ?`, [user.id])) as { id: string }[];
    expect(rows.map((r) => r.id)).not.toContain(old.id);
    expect(rows).toHaveLength(1);
  });

  it('cascades when a user is deleted', async () => {
    const { user } = await register();
    const f = await newFamily(user.id);
    await orm.em.fork().execute(`delete from outbox_events where event_key = ? and topic = ?`, [String(user.id), TOPIC]);
    await orm.em.fork().execute(`delete from accounts where user_id = ?`, [user.id]);
    await orm.em.fork().execute(`delete from users where id = ?`, [user.id]);
    expect(await families.updateByTokenHash(f.currentHash, async (found) => ({ result: found }))).toBeNull();
  });
});

describe('OutboxIdentityEventLog (real PostgreSQL)', () => {
  it('appends login outcomes to the outbox and pokes the relay', async () => {
    let poked = 0;
    const log = new OutboxIdentityEventLog(orm, { topic: TOPIC, onAppended: () => poked++ });
    const ip = `10.9.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
    await log.record(userLoginFailed(null, ip, new Date()));
    const rows = (await orm.em
      .fork()
      .execute(`select event_key, payload from outbox_events where topic = ? and event_type = 'user.login_failed' and payload->'payload'->>'client_ip' = ?`, [
        TOPIC,
        ip,
      ])) as { event_key: string; payload: { payload: Record<string, unknown> } }[];
    expect(rows).toHaveLength(1);
    expect(rows[0]!.event_key).toBe('unknown');
    expect(rows[0]!.payload.payload).toMatchObject({ user_id: null, reason: 'UNKNOWN_USER' });
    expect(poked).toBe(1);
  });
});
