import { generateKeyPairSync } from 'node:crypto';
import { JwtAccessTokenService } from '../../src/adapters/security/jwt-access-token.service.ts';
import { loadJwtKeys } from '../../src/adapters/security/jwt-keys.ts';
import { InMemoryKeyValueStore } from '../../src/adapters/memory/in-memory-key-value-store.ts';
import type { PasswordHasher } from '../../src/application/ports/password-hasher.ts';
import { loadConfig } from '../../src/entrypoints/shared/config.ts';
import { Money } from '../../src/domain/shared/money.ts';
import type { LoginIdentifier } from '../../src/domain/identity/credentials.ts';
import { alreadyRegistered } from '../../src/domain/identity/identity.errors.ts';
import type { IdentityEvent, IdentityEventLog } from '../../src/domain/identity/identity.events.ts';
import type { RefreshTokenFamily, RevocationReason } from '../../src/domain/identity/refresh-token-family.ts';
import type { FamilyChange, RefreshTokenFamilyRepository } from '../../src/domain/identity/refresh-token-family.repository.ts';
import type { UserRepository } from '../../src/domain/identity/user.repository.ts';
import type { AccountSummary, NewUser, Role, User } from '../../src/domain/identity/user.ts';

/** A controllable clock shared by the fakes. */
export class FakeClock {
  ms = Date.parse('2026-11-25T10:00:00Z');
  now = (): Date => new Date(this.ms);
  nowMs = (): number => this.ms;
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

/** Fast and transparent: `plain:<password>`; records every verify so tests can see the dummy-hash path. */
export class FakePasswordHasher implements PasswordHasher {
  verified: string[] = [];
  weak = new Set<string>();
  async hash(password: string): Promise<string> {
    return `plain:${password}`;
  }
  async verify(hash: string, password: string): Promise<boolean> {
    this.verified.push(hash);
    return hash === `plain:${password}` || hash === `weak:${password}`;
  }
  needsRehash(hash: string): boolean {
    return hash.startsWith('weak:');
  }
}

export class InMemoryUserRepository implements UserRepository {
  users: User[] = [];
  accounts = new Map<number, AccountSummary>();
  events: IdentityEvent[] = [];
  private nextId = 1;
  private readonly clock: FakeClock;

  constructor(clock = new FakeClock()) {
    this.clock = clock;
  }

  async registerWithAccount(input: NewUser, event: (u: User, a: AccountSummary) => IdentityEvent) {
    if (this.users.some((u) => u.username.toLowerCase() === input.username.toLowerCase())) throw alreadyRegistered('username');
    if (this.users.some((u) => u.email === input.email)) throw alreadyRegistered('email');
    if (this.users.some((u) => u.phone === input.phone)) throw alreadyRegistered('phone');
    const now = this.clock.now();
    const user: User = { id: this.nextId++, ...input, role: 'USER', createdAt: now, updatedAt: now };
    const account: AccountSummary = { id: `acc-${user.id}`, balance: Money.zero(), currency: 'IDR', accountStatus: 'ACTIVE', createdAt: now };
    this.users.push(user);
    this.accounts.set(user.id, account);
    this.events.push(event(user, account));
    return { user, account };
  }

  async findByLogin(id: LoginIdentifier) {
    // Like the PostgreSQL repository: only the column of the identifier's kind.
    const match = (u: User) =>
      id.kind === 'phone' ? u.phone === id.phone : id.kind === 'email' ? u.email === id.email : u.username.toLowerCase() === id.username.toLowerCase();
    return this.users.find(match) ?? null;
  }

  async findById(id: number) {
    return this.users.find((u) => u.id === id) ?? null;
  }

  async findByUsername(username: string) {
    return this.users.find((u) => u.username.toLowerCase() === username.toLowerCase()) ?? null;
  }

  async accountOf(userId: number) {
    return this.accounts.get(userId) ?? null;
  }

  async updatePasswordHash(userId: number, passwordHash: string) {
    const u = this.users.find((x) => x.id === userId);
    if (u) u.passwordHash = passwordHash;
  }

  async setRole(userId: number, role: Role) {
    const u = this.users.find((x) => x.id === userId);
    if (u) u.role = role;
  }

  async list(filter: { role?: Role; limit: number; offset: number }) {
    return this.users.filter((u) => !filter.role || u.role === filter.role).slice(filter.offset, filter.offset + filter.limit);
  }
}

/** Serialises changes like the row lock does. */
export class InMemoryRefreshTokenFamilyRepository implements RefreshTokenFamilyRepository {
  families = new Map<string, RefreshTokenFamily>();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly clock: FakeClock;

  constructor(clock = new FakeClock()) {
    this.clock = clock;
  }

  async create(f: RefreshTokenFamily) {
    this.families.set(f.id, structuredClone(f));
  }

  updateByTokenHash<T>(hash: string, change: (f: RefreshTokenFamily | null) => Promise<FamilyChange<T>>): Promise<T> {
    const run = this.queue.then(async () => {
      const found = [...this.families.values()].find((f) => f.currentHash === hash || f.usedHashes.includes(hash)) ?? null;
      const { save, result } = await change(found ? structuredClone(found) : null);
      if (save) this.families.set(save.id, structuredClone(save));
      return result;
    });
    this.queue = run.catch(() => {});
    return run;
  }

  async revokeByTokenHash(userId: number, hash: string, reason: RevocationReason) {
    return this.revokeWhere((f) => f.userId === userId && (f.currentHash === hash || f.usedHashes.includes(hash)), reason);
  }

  async revokeById(userId: number, id: string, reason: RevocationReason) {
    return this.revokeWhere((f) => f.userId === userId && f.id === id, reason);
  }

  private revokeWhere(match: (f: RefreshTokenFamily) => boolean, reason: RevocationReason) {
    const f = [...this.families.values()].find((x) => !x.revokedAt && match(x));
    if (!f) return null;
    f.revokedAt = this.clock.now();
    f.revokedReason = reason;
    return structuredClone(f);
  }
}

export class RecordingEventLog implements IdentityEventLog {
  events: IdentityEvent[] = [];
  async record(e: IdentityEvent) {
    this.events.push(e);
  }
}

/** A real ES256 token service over an in-memory deny list. */
export function fakeAccessTokens(kv = new InMemoryKeyValueStore()) {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const config = loadConfig({ JWT_PRIVATE_KEY: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() });
  return new JwtAccessTokenService(loadJwtKeys(config), { issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE, ttlSeconds: 900 }, kv);
}
