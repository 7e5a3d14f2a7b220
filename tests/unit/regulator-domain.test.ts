import { describe, expect, it } from 'vitest';
import { generateApiKey, ipAllowed, keyMatches, looksLikeApiKey, prefixOf, refusalOf, type ApiKey } from '../../src/domain/regulator/api-key.ts';
import { gcra } from '../../src/domain/regulator/gcra.ts';
import { maskPhone } from '../../src/domain/regulator/personal-data.ts';
import { parseRateLimits, rulesOf } from '../../src/domain/regulator/rate-limits.ts';
import { RegulatorAuthenticator } from '../../src/application/regulator/regulator-authenticator.ts';
import { regulatorAdmin } from '../../src/application/regulator/regulator-admin.ts';
import type { RegulatorRepository } from '../../src/domain/regulator/regulator.ports.ts';
import type { ExternalService } from '../../src/domain/regulator/external-service.ts';
import { InMemoryRateLimiter } from '../../src/adapters/memory/in-memory-rate-limiter.ts';

describe('maskPhone', () => {
  it('keeps the operator prefix and the last four digits', () => {
    expect(maskPhone('+6281234565678')).toBe('+62812****5678');
    expect(maskPhone('+628123455678')).toBe('+62812****5678');
    expect(maskPhone('+62812')).toBe('****');
    expect(maskPhone(null)).toBeNull();
  });
});

describe('API keys', () => {
  it('are random, found by prefix, compared by hash', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(a.key).not.toBe(b.key);
    expect(prefixOf(a.key)).toBe(a.prefix);
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(a.hash).not.toContain(a.key.slice(17));
    expect(keyMatches(a.key, a.hash)).toBe(true);
    expect(keyMatches(b.key, a.hash)).toBe(false);
    expect(keyMatches(a.key.slice(0, -1) + (a.key.endsWith('A') ? 'B' : 'A'), a.hash)).toBe(false);
    expect(prefixOf('ogp_short_x')).toBeNull();
    expect(prefixOf('')).toBeNull();
    expect(looksLikeApiKey(a.key)).toBe(true);
  });

  const key = (over: Partial<ApiKey> = {}): ApiKey => ({
    id: 'k',
    externalServiceId: 's',
    name: 'n',
    prefix: 'p',
    hash: 'h',
    permissions: ['READ_TRANSACTIONS'],
    rateLimits: {},
    expiresAt: null,
    allowedIps: null,
    isActive: true,
    revokedAt: null,
    rotatedFrom: null,
    createdAt: new Date(),
    ...over,
  });

  it('say why they cannot be used', () => {
    const now = new Date('2026-11-25T10:00:00Z');
    expect(refusalOf(key(), true, now)).toBeNull();
    expect(refusalOf(key({ revokedAt: new Date('2026-11-25T09:00:00Z') }), true, now)).toBe('KEY_REVOKED');
    expect(refusalOf(key({ isActive: false }), true, now)).toBe('KEY_INACTIVE');
    expect(refusalOf(key({ expiresAt: now }), true, now)).toBe('KEY_EXPIRED');
    expect(refusalOf(key({ expiresAt: new Date(now.getTime() + 1000) }), true, now)).toBeNull();
    expect(refusalOf(key(), false, now)).toBe('SERVICE_INACTIVE');
  });

  it('honour an IP allow-list of addresses and IPv4 blocks', () => {
    expect(ipAllowed(null, '1.2.3.4')).toBe(true);
    expect(ipAllowed(['10.0.0.0/8'], '10.200.3.4')).toBe(true);
    expect(ipAllowed(['10.0.0.0/8'], '11.0.0.1')).toBe(false);
    expect(ipAllowed(['192.168.1.0/24', '127.0.0.1'], '127.0.0.1')).toBe(true);
    expect(ipAllowed(['192.168.1.0/24'], '192.168.2.1')).toBe(false);
    expect(ipAllowed(['203.0.113.7'], '203.0.113.8')).toBe(false);
  });
});

describe('rate limits', () => {
  it('validate windows and values', () => {
    expect(parseRateLimits({ minute: 100, hour: '1000' })).toEqual({ minute: 100, hour: 1000 });
    expect(() => parseRateLimits({ week: 1 })).toThrow(/unknown/);
    expect(() => parseRateLimits({ minute: 0 })).toThrow(/positive/);
    expect(() => parseRateLimits({ minute: 1.5 })).toThrow(/positive/);
  });

  it('GCRA allows exactly the limit per window, then refuses without consuming', () => {
    const rules = rulesOf({ second: 3 });
    let tats: (number | null)[] = [null];
    const at = (now: number) => {
      const o = gcra(now, rules, tats);
      if (o.allowed) tats = o.tats;
      return o;
    };
    expect([at(1000), at(1000), at(1000)].map((o) => [o.allowed, o.remaining])).toEqual([
      [true, 2],
      [true, 1],
      [true, 0],
    ]);
    const refused = at(1000);
    expect(refused.allowed).toBe(false);
    expect(refused.retryMs).toBeGreaterThan(0);
    expect(refused.retryMs).toBeLessThanOrEqual(334);
    expect(at(1000).allowed).toBe(false);
    // A full window later everything is back.
    expect([at(2000), at(2000), at(2000), at(2000)].map((o) => o.allowed)).toEqual([true, true, true, false]);
  });

  it('GCRA binds on the tightest of several windows', () => {
    const rules = rulesOf({ second: 10, minute: 2 });
    let tats: (number | null)[] = [null, null];
    const results: boolean[] = [];
    for (let i = 0; i < 3; i++) {
      const o = gcra(0, rules, tats);
      if (o.allowed) tats = o.tats;
      results.push(o.allowed);
    }
    expect(results).toEqual([true, true, false]);
    const refused = gcra(5000, rules, tats);
    expect(refused.allowed).toBe(false);
    expect(rules[refused.rule]!.window).toBe('minute');
  });
});

describe('RegulatorAuthenticator', () => {
  const service: ExternalService = {
    id: 's1',
    company: 'X',
    serviceType: 'REGULATOR',
    contactEmail: 'a@b.c',
    description: null,
    isActive: true,
    defaultPermissions: ['READ_TRANSACTIONS'],
    defaultRateLimits: { second: 2 },
    createdAt: new Date(),
  };
  const keys = new Map<string, ApiKey>();
  const repo = {
    findService: async () => service,
    insertKey: async (k: Omit<ApiKey, 'createdAt'>) => {
      const full = { ...k, createdAt: new Date() };
      keys.set(k.prefix, full);
      return full;
    },
    findKeyByPrefix: async (p: string) => (keys.has(p) ? { key: keys.get(p)!, service } : null),
  } as unknown as RegulatorRepository;

  it('refuses missing and unknown keys alike, counts, and checks permissions', async () => {
    const issued = await regulatorAdmin(repo).issueKey.execute({ service: 'X', name: 'k' });
    const auth = new RegulatorAuthenticator(repo, new InMemoryRateLimiter());
    await expect(auth.identify(undefined, '1.1.1.1')).rejects.toMatchObject({ code: 'API_KEY_MISSING' });
    await expect(auth.identify('garbage', '1.1.1.1')).rejects.toMatchObject({ code: 'API_KEY_INVALID' });
    await expect(auth.identify(generateApiKey().key, '1.1.1.1')).rejects.toMatchObject({ code: 'API_KEY_INVALID' });
    const p = await auth.identify(issued.key, '1.1.1.1');
    expect(() => auth.authorize(p, 'READ_REPORTS')).toThrow(/READ_REPORTS/);
    expect(() => auth.authorize(p, 'READ_TRANSACTIONS')).not.toThrow();
    expect((await auth.limit(p))!.allowed).toBe(true);
    expect((await auth.limit(p))!.allowed).toBe(true);
    expect((await auth.limit(p))!.allowed).toBe(false);
  });

  it('answers 503 (unavailable) when the limiter cannot count', async () => {
    const issued = await regulatorAdmin(repo).issueKey.execute({ service: 'X', name: 'k2' });
    const auth = new RegulatorAuthenticator(repo, { consume: async () => Promise.reject(new Error('down')), ping: async () => {} });
    const p = await auth.identify(issued.key, '1.1.1.1');
    await expect(auth.limit(p)).rejects.toMatchObject({ kind: 'unavailable', code: 'RATE_LIMITER_UNAVAILABLE' });
  });
});
