import { describe, expect, it } from 'vitest';
import { InMemoryKeyValueStore } from '../../src/adapters/memory/in-memory-key-value-store.ts';
import { revokedSessionKey } from '../../src/application/ports/access-token.ts';
import { RegisterHandler } from '../../src/application/auth/register/register.handler.ts';
import { LoginHandler } from '../../src/application/auth/login/login.handler.ts';
import { LoginThrottle } from '../../src/application/auth/login/login-throttle.ts';
import { RefreshHandler } from '../../src/application/auth/refresh/refresh.handler.ts';
import { LogoutHandler } from '../../src/application/auth/logout/logout.handler.ts';
import { GetProfileHandler } from '../../src/application/auth/get-profile/get-profile.handler.ts';
import { SetRoleHandler } from '../../src/application/auth/grant-admin/grant-admin.handler.ts';
import { ListUsersHandler } from '../../src/application/auth/list-users/list-users.handler.ts';
import { EnsureDemoUserHandler } from '../../src/application/auth/ensure-demo-user/ensure-demo-user.handler.ts';
import { SessionStarter } from '../../src/application/auth/shared/session.ts';
import { hashRefreshToken } from '../../src/domain/identity/refresh-token.ts';
import {
  FakeClock,
  FakePasswordHasher,
  InMemoryRefreshTokenFamilyRepository,
  InMemoryUserRepository,
  RecordingEventLog,
  fakeAccessTokens,
} from '../support/auth-fakes.ts';

function setup() {
  const clock = new FakeClock();
  const kv = new InMemoryKeyValueStore();
  const users = new InMemoryUserRepository(clock);
  const families = new InMemoryRefreshTokenFamilyRepository(clock);
  const hasher = new FakePasswordHasher();
  const accessTokens = fakeAccessTokens(kv);
  const events = new RecordingEventLog();
  const sessions = new SessionStarter({ accessTokens, families, refreshTtlSeconds: 604800, now: clock.now });
  const throttle = new LoginThrottle(kv);
  return {
    clock,
    kv,
    users,
    families,
    hasher,
    accessTokens,
    events,
    register: new RegisterHandler({ users, hasher }),
    login: new LoginHandler({ users, hasher, throttle, sessions, events, now: clock.now }),
    refresh: new RefreshHandler({
      users,
      families,
      accessTokens,
      kv,
      refreshTtlSeconds: 604800,
      accessTtlSeconds: 900,
      sessionMaxSeconds: 30 * 86400,
      now: clock.now,
    }),
    logout: new LogoutHandler({ families, kv, accessTtlSeconds: 900 }),
    profile: new GetProfileHandler({ users }),
  };
}

const budi = { username: 'budi', email: 'Budi@Example.com', phone: '081234567890', password: 'rahasia-sekali' };

describe('register', () => {
  it('stores the hash (never the password), the normalised fields, the account and user.registered', async () => {
    const s = setup();
    const { user, account } = await s.register.execute(budi);
    expect(user).toMatchObject({ username: 'budi', email: 'budi@example.com', phone: '+6281234567890', role: 'USER', passwordHash: 'plain:rahasia-sekali' });
    expect(account).toMatchObject({ currency: 'IDR', accountStatus: 'ACTIVE' });
    expect(account.balance.toString()).toBe('0.00');
    expect(s.users.events).toEqual([
      { type: 'user.registered', key: String(user.id), payload: expect.objectContaining({ user_id: user.id, account_id: account.id }) },
    ]);
  });

  it('validates before hashing', async () => {
    const s = setup();
    const hashed: string[] = [];
    s.hasher.hash = async (p) => (hashed.push(p), `plain:${p}`);
    await expect(s.register.execute({ ...budi, password: 'x'.repeat(10_000) })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    expect(hashed).toEqual([]);
  });

  it('names the duplicate field', async () => {
    const s = setup();
    await s.register.execute(budi);
    await expect(s.register.execute({ ...budi, username: 'other', email: 'other@example.com' })).rejects.toMatchObject({
      code: 'PHONE_ALREADY_EXISTS',
      kind: 'conflict',
    });
  });
});

describe('login', () => {
  it('logs in by username, email or phone, starts a session and records user.logged_in', async () => {
    const s = setup();
    const { user } = await s.register.execute(budi);
    for (const identifier of ['budi', 'BUDI@example.com', '+62 812 3456 7890']) {
      const { session } = await s.login.execute({ identifier, password: budi.password, clientIp: '1.2.3.4' });
      expect((await s.accessTokens.verify(session.accessToken)).userId).toBe(user.id);
      expect(session).toMatchObject({ expiresIn: 900, refreshExpiresIn: 604800 });
      expect(s.families.families.get(session.sessionId)).toMatchObject({
        userId: user.id,
        currentHash: hashRefreshToken(session.refreshToken),
        accessJti: session.accessJti,
      });
    }
    expect(s.events.events.map((e) => e.type)).toEqual(['user.logged_in', 'user.logged_in', 'user.logged_in']);
  });

  it('does the same work for an unknown user as for a wrong password: one verification, one event, one answer', async () => {
    const s = setup();
    await s.login.warmUp();
    await s.register.execute(budi);
    s.hasher.verified = [];
    const wrong = await s.login.execute({ identifier: 'budi', password: 'wrong-password', clientIp: '1.1.1.1' }).catch((e) => e);
    const unknown = await s.login.execute({ identifier: 'nobody', password: 'wrong-password', clientIp: '1.1.1.1' }).catch((e) => e);
    expect(s.hasher.verified).toHaveLength(2);
    expect(s.hasher.verified[0]).toBe('plain:rahasia-sekali');
    expect(s.hasher.verified[1]).toMatch(/^plain:[0-9a-f]{32}$/);
    expect([wrong.code, wrong.message]).toEqual([unknown.code, unknown.message]);
    expect(wrong.code).toBe('INVALID_CREDENTIALS');
    expect(s.events.events.map((e) => [e.type, e.payload.user_id])).toEqual([
      ['user.login_failed', 1],
      ['user.login_failed', null],
    ]);
  });

  it('refuses the 6th attempt before hashing', async () => {
    const s = setup();
    await s.register.execute(budi);
    for (let i = 0; i < 5; i++)
      await expect(s.login.execute({ identifier: 'budi', password: 'nope-nope', clientIp: '1.1.1.1' })).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    s.hasher.verified = [];
    await expect(s.login.execute({ identifier: 'budi', password: budi.password, clientIp: '1.1.1.1' })).rejects.toMatchObject({
      code: 'TOO_MANY_LOGIN_ATTEMPTS',
    });
    expect(s.hasher.verified).toEqual([]);
  });

  it('rejects an oversized password without hashing', async () => {
    const s = setup();
    await expect(s.login.execute({ identifier: 'budi', password: 'x'.repeat(129), clientIp: '1.1.1.1' })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    expect(s.hasher.verified).toEqual([]);
  });

  it('upgrades a hash made with weaker parameters at login', async () => {
    const s = setup();
    const { user } = await s.register.execute(budi);
    await s.users.updatePasswordHash(user.id, `weak:${budi.password}`);
    await s.login.execute({ identifier: 'budi', password: budi.password, clientIp: '1.1.1.1' });
    expect((await s.users.findById(user.id))!.passwordHash).toBe(`plain:${budi.password}`);
  });
});

describe('refresh', () => {
  async function loggedIn() {
    const s = setup();
    await s.register.execute(budi);
    const { session } = await s.login.execute({ identifier: 'budi', password: budi.password, clientIp: '1.1.1.1' });
    return { s, session };
  }

  it('rotates', async () => {
    const { s, session } = await loggedIn();
    const next = (await s.refresh.execute(session.refreshToken)).session;
    expect(next.refreshToken).not.toBe(session.refreshToken);
    expect(next.sessionId).toBe(session.sessionId);
    expect(s.families.families.get(session.sessionId)).toMatchObject({
      currentHash: hashRefreshToken(next.refreshToken),
      usedHashes: [hashRefreshToken(session.refreshToken)],
      accessJti: next.accessJti,
    });
  });

  it('a reused token revokes the family and every access token it issued', async () => {
    const { s, session } = await loggedIn();
    const next = (await s.refresh.execute(session.refreshToken)).session;
    await expect(s.refresh.execute(session.refreshToken)).rejects.toMatchObject({ code: 'REFRESH_TOKEN_REUSED', kind: 'unauthenticated' });
    expect(await s.kv.get(revokedSessionKey(session.sessionId))).toBe('REUSE_DETECTED');
    await expect(s.accessTokens.verify(next.accessToken)).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
    await expect(s.accessTokens.verify(session.accessToken)).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
    await expect(s.refresh.execute(next.refreshToken)).rejects.toMatchObject({ code: 'INVALID_REFRESH_TOKEN' });
  });

  it('two concurrent refreshes with one token: one rotation, one reuse', async () => {
    const { s, session } = await loggedIn();
    const results = await Promise.allSettled([s.refresh.execute(session.refreshToken), s.refresh.execute(session.refreshToken)]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
  });

  it('refuses an expired family, a missing and an unknown token', async () => {
    const { s, session } = await loggedIn();
    await expect(s.refresh.execute(undefined)).rejects.toMatchObject({ code: 'REFRESH_TOKEN_REQUIRED' });
    await expect(s.refresh.execute('nope')).rejects.toMatchObject({ code: 'INVALID_REFRESH_TOKEN' });
    s.clock.advance(604800);
    await expect(s.refresh.execute(session.refreshToken)).rejects.toMatchObject({ code: 'INVALID_REFRESH_TOKEN', message: expect.stringContaining('expired') });
  });

  it('refreshing keeps a session alive for at most SESSION_MAX_SECONDS after its login', async () => {
    const { s, session } = await loggedIn();
    let token = session.refreshToken;
    for (let day = 6; day < 30; day += 6) {
      s.clock.advance(6 * 86400);
      token = (await s.refresh.execute(token)).session.refreshToken;
    }
    s.clock.advance(6 * 86400); // day 30: past the cap, though the last refresh was 6 days ago
    await expect(s.refresh.execute(token)).rejects.toMatchObject({ code: 'INVALID_REFRESH_TOKEN', message: expect.stringContaining('expired') });
  });
});

describe('logout, profile, roles', () => {
  it('revokes the session for longer than its newest access token lives, and its family', async () => {
    const s = setup();
    await s.register.execute(budi);
    const { session } = await s.login.execute({ identifier: 'budi', password: budi.password, clientIp: '1.1.1.1' });
    const actor = await s.accessTokens.verify(session.accessToken);
    await s.logout.execute(actor);
    const ttl = await s.kv.ttl(revokedSessionKey(actor.sessionId));
    expect(ttl).toBeGreaterThan(900);
    expect(ttl).toBeLessThanOrEqual(960);
    expect(s.families.families.get(session.sessionId)).toMatchObject({ revokedReason: 'LOGOUT' });
    await expect(s.refresh.execute(session.refreshToken)).rejects.toMatchObject({ code: 'INVALID_REFRESH_TOKEN' });
  });

  it('gives the profile and account; 404 for a user that no longer exists', async () => {
    const s = setup();
    const { user } = await s.register.execute(budi);
    expect((await s.profile.execute(user.id)).account?.accountStatus).toBe('ACTIVE');
    await expect(s.profile.execute(999)).rejects.toMatchObject({ code: 'USER_NOT_FOUND', kind: 'not_found' });
  });

  it('grants and revokes ADMIN, lists by role', async () => {
    const s = setup();
    await s.register.execute(budi);
    const roles = new SetRoleHandler({ users: s.users });
    expect((await roles.execute('BUDI', 'ADMIN')).changed).toBe(true);
    expect((await roles.execute('budi', 'ADMIN')).changed).toBe(false);
    expect(await new ListUsersHandler({ users: s.users }).execute({ role: 'ADMIN', limit: 10, offset: 0 })).toHaveLength(1);
    await roles.execute('budi', 'USER');
    expect(await new ListUsersHandler({ users: s.users }).execute({ role: 'ADMIN', limit: 10, offset: 0 })).toHaveLength(0);
    await expect(roles.execute('ghost', 'ADMIN')).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });
  });

  it('the demo user is created once and its password follows each start', async () => {
    const s = setup();
    const demo = new EnsureDemoUserHandler({ users: s.users, hasher: s.hasher });
    expect(await demo.execute('first-password')).toMatchObject({ username: 'demo', created: true });
    expect(await demo.execute('second-password')).toMatchObject({ created: false });
    expect(s.users.users).toHaveLength(1);
    await expect(s.login.execute({ identifier: 'demo', password: 'second-password', clientIp: '1.1.1.1' })).resolves.toBeDefined();
  });
});

describe('when Redis cannot answer', () => {
  const broken = new Proxy({} as InMemoryKeyValueStore, { get: () => () => Promise.reject(new Error('ECONNREFUSED')) });

  it('login fails closed with 503 before any hashing (the brute-force limits never switch off)', async () => {
    const s = setup();
    await s.register.execute(budi);
    const throttle = new LoginThrottle(broken);
    const sessions = new SessionStarter({ accessTokens: s.accessTokens, families: s.families, refreshTtlSeconds: 604800 });
    const login = new LoginHandler({ users: s.users, hasher: s.hasher, throttle, sessions, events: s.events });
    s.hasher.verified = [];
    await expect(login.execute({ identifier: 'budi', password: budi.password, clientIp: '1.1.1.1' })).rejects.toMatchObject({
      code: 'SESSION_STORE_UNAVAILABLE',
      kind: 'unavailable',
    });
    expect(s.hasher.verified).toEqual([]);
  });

  it("logout with an access token from before a refresh ends the session's current tokens too", async () => {
    const s = setup();
    await s.register.execute(budi);
    const { session } = await s.login.execute({ identifier: 'budi', password: budi.password, clientIp: '1.1.1.1' });
    const current = (await s.refresh.execute(session.refreshToken)).session;
    await s.logout.execute(await s.accessTokens.verify(session.accessToken));
    await expect(s.accessTokens.verify(current.accessToken)).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
    await expect(s.refresh.execute(current.refreshToken)).rejects.toMatchObject({ code: 'INVALID_REFRESH_TOKEN' });
  });

  it("reuse with Redis down answers 503 (family revoked); the next attempt writes the session's mark", async () => {
    const s = setup();
    await s.register.execute(budi);
    const { session } = await s.login.execute({ identifier: 'budi', password: budi.password, clientIp: '1.1.1.1' });
    const next = (await s.refresh.execute(session.refreshToken)).session;
    const down = new RefreshHandler({
      users: s.users,
      families: s.families,
      accessTokens: s.accessTokens,
      kv: broken,
      refreshTtlSeconds: 604800,
      accessTtlSeconds: 900,
      now: s.clock.now,
    });
    await expect(down.execute(session.refreshToken)).rejects.toMatchObject({ code: 'SESSION_STORE_UNAVAILABLE', kind: 'unavailable' });
    expect(s.families.families.get(session.sessionId)?.revokedReason).toBe('REUSE_DETECTED');
    await expect(s.accessTokens.verify(next.accessToken)).resolves.toBeDefined(); // the mark is missing so far
    await expect(s.refresh.execute(next.refreshToken)).rejects.toMatchObject({ code: 'INVALID_REFRESH_TOKEN' });
    await expect(s.accessTokens.verify(next.accessToken)).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
  });

  it('logout still revokes the refresh family, then answers 503', async () => {
    const s = setup();
    await s.register.execute(budi);
    const { session } = await s.login.execute({ identifier: 'budi', password: budi.password, clientIp: '1.1.1.1' });
    const actor = await s.accessTokens.verify(session.accessToken);
    await expect(new LogoutHandler({ families: s.families, kv: broken, accessTtlSeconds: 900 }).execute(actor)).rejects.toMatchObject({ kind: 'unavailable' });
    expect(s.families.families.get(session.sessionId)?.revokedReason).toBe('LOGOUT');
  });
});
