import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LoginHandler } from '../../src/application/auth/login/login.handler.ts';
import { LoginThrottle } from '../../src/application/auth/login/login-throttle.ts';
import { InMemoryKeyValueStore } from '../../src/adapters/memory/in-memory-key-value-store.ts';
import { USERNAME_PATTERN, parseRegistration, usernameProblem } from '../../src/domain/identity/credentials.ts';
import { DomainError } from '../../src/domain/shared/domain-error.ts';
import { classifyIdentifier } from '../../src/domain/shared/identifier.ts';
import { parseIndonesianMobile } from '../../src/domain/shared/phone.ts';
import { maskRecipient, maskUsername, parseRecipient } from '../../src/domain/wallet/recipient.ts';
import { Money } from '../../src/domain/shared/money.ts';
import { SessionStarter } from '../../src/application/auth/shared/session.ts';
import { userRegistered } from '../../src/domain/identity/identity.events.ts';
import {
  FakeClock,
  FakePasswordHasher,
  InMemoryRefreshTokenFamilyRepository,
  InMemoryUserRepository,
  RecordingEventLog,
  fakeAccessTokens,
} from '../support/auth-fakes.ts';

// The rules of issue 10 item 1 and issue 11 item 3 on their own: one phone parser, identifiers
// classified before any lookup, and usernames that can never be mistaken for a phone or an email.

const separator = fc.constantFrom('', ' ', '-', '.', '(', ')');
const nsnArb = fc
  .tuple(fc.integer({ min: 1, max: 9 }), fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 7, maxLength: 10 }))
  .map(([op, rest]) => `8${op}${rest.join('')}`);
/** A mobile number as a person might type it: any accepted prefix, separators anywhere. */
const typedPhone = fc
  .tuple(fc.constantFrom('', '0', '62', '+62'), nsnArb, fc.array(separator, { minLength: 13, maxLength: 13 }))
  .map(([prefix, nsn, seps]) => ({
    nsn,
    text: prefix + [...nsn].map((d, i) => d + seps[i]!).join(''),
  }));
/** Anything made of what phone numbers are made of. */
const phoneish = fc.string({ unit: fc.constantFrom(...'0123456789+-.() 8'.split('')), maxLength: 24 });

describe('the phone parser: 8…, 08…, 628…, +628… and separators, normalised to +628…', () => {
  it.each([
    ['81234567890', '+6281234567890'],
    ['081234567890', '+6281234567890'],
    ['6281234567890', '+6281234567890'],
    ['+6281234567890', '+6281234567890'],
    ['+62 812-3456-7890', '+6281234567890'],
    ['(0812) 3456.7890', '+6281234567890'],
    ['812 3456 7890', '+6281234567890'],
    ['812345678', '+62812345678'],
    ['081234567890123'.slice(0, 13), '+62812345678901'],
  ])('%s → %s', (input, expected) => expect(parseIndonesianMobile(input)).toBe(expected));

  it.each([
    '',
    '8',
    '81234567',
    '8123456789012',
    '80234567890',
    '0802345678',
    '021234567',
    '+15551234567',
    '+0812345678',
    '62',
    '+62',
    '6281',
    '0812345678a',
    '０８１２３４５６７８９',
    '12345',
    'alice',
  ])('refuses %j', (input) => {
    expect(parseIndonesianMobile(input)).toBeNull();
  });

  it('accepts every typed form of every well-formed number, as +62 and its NSN', () => {
    fc.assert(
      fc.property(typedPhone, ({ nsn, text }) => {
        expect(parseIndonesianMobile(text)).toBe(`+62${nsn}`);
      }),
      { numRuns: 2000 },
    );
  });

  it('answers only well-formed E.164 mobile numbers, whatever the input', () => {
    fc.assert(
      fc.property(fc.oneof(phoneish, fc.string()), (text) => {
        const p = parseIndonesianMobile(text);
        if (p !== null) expect(p).toMatch(/^\+628[1-9]\d{7,10}$/);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('identifiers are classified before any lookup', () => {
  it('a phone in any form is a phone, text with @ an email, only the rest a username', () => {
    expect(classifyIdentifier(' 0812-2241-9751 ')).toEqual({ kind: 'phone', phone: '+6281222419751' });
    expect(classifyIdentifier('81222419751')).toEqual({ kind: 'phone', phone: '+6281222419751' });
    expect(classifyIdentifier('Budi@Example.COM')).toEqual({ kind: 'email', email: 'budi@example.com' });
    expect(classifyIdentifier('not@an-email')).toEqual({ kind: 'email', email: 'not@an-email' });
    expect(classifyIdentifier('Budi_S')).toEqual({ kind: 'username', username: 'Budi_S' });
    expect(classifyIdentifier('0812345')).toEqual({ kind: 'username', username: '0812345' });
  });

  it('a transfer recipient is an account id, else the same classification (never a username for a phone)', () => {
    expect(parseRecipient(' 3F2504E0-4F89-11D3-9A0C-0305E82C3301 ')).toEqual({ kind: 'account', accountId: '3f2504e0-4f89-11d3-9a0c-0305e82c3301' });
    expect(parseRecipient('+62 812 2241 9751')).toEqual({ kind: 'phone', phone: '+6281222419751' });
    expect(parseRecipient('a@b.co').kind).toBe('email');
    expect(parseRecipient('budi').kind).toBe('username');
  });
});

describe('usernames never look like a phone number or an email (the class, searched)', () => {
  const valid = { email: 'x@example.com', phone: '081234567890', password: 'rahasia-sekali' };
  const refusedWithCode = (username: string) => {
    try {
      parseRegistration({ ...valid, username });
      return false;
    } catch (e) {
      return (
        e instanceof DomainError && e.code === 'USERNAME_LOOKS_LIKE_PHONE_OR_EMAIL' && e.kind === 'invalid' && e.details?.errors?.[0]?.field === 'username'
      );
    }
  };

  it('refuses every string the phone parser accepts, with its own code', () => {
    fc.assert(
      fc.property(typedPhone, ({ text }) => {
        expect(refusedWithCode(text)).toBe(true);
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(
        phoneish.filter((t) => parseIndonesianMobile(t.trim()) !== null),
        (text) => {
          expect(refusedWithCode(text)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses every string that looks like an email, with its own code', () => {
    fc.assert(
      fc.property(fc.emailAddress(), (email) => {
        expect(refusedWithCode(email)).toBe(true);
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(refusedWithCode(`${a}@${b}`)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses names without a letter (a mistyped number must find nobody)', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'0123456789_.'.split('')), minLength: 3, maxLength: 50 }), (name) => {
        expect(usernameProblem(name)).not.toBeNull();
      }),
      { numRuns: 500 },
    );
  });

  it('whatever registration accepts as a username is classified as a username by every lookup', () => {
    const nameArb = fc.string({ unit: fc.constantFrom(...'abcXYZ0123456789_.8'.split('')), minLength: 3, maxLength: 50 });
    fc.assert(
      fc.property(nameArb, (name) => {
        if (usernameProblem(name) !== null) return;
        expect(USERNAME_PATTERN.test(name)).toBe(true);
        expect(classifyIdentifier(name)).toEqual({ kind: 'username', username: name });
        expect(parseRecipient(name).kind).toBe('username');
      }),
      { numRuns: 3000 },
    );
  });

  it("reports the look-alike with the other fields' problems as VALIDATION_ERROR when there are several", () => {
    try {
      parseRegistration({ ...valid, username: '081222419751', password: 'short' });
      expect.unreachable();
    } catch (e) {
      expect((e as DomainError).code).toBe('VALIDATION_ERROR');
      expect((e as DomainError).details!.errors!.map((x) => x.field)).toEqual(['username', 'password']);
    }
  });
});

describe('what a sender is shown of the person they pay', () => {
  it('masks the username (first and last two characters, always four stars) and the phone', () => {
    expect(maskUsername('budi_santoso')).toBe('bu****so');
    expect(maskUsername('budi')).toBe('b****');
    expect(maskUsername('abcde')).toBe('ab****de');
    expect(maskUsername('élodie')).toBe('él****ie');
    const r = maskRecipient({
      id: 'acc-1',
      userId: 1,
      systemCode: null,
      balance: Money.zero(),
      currency: 'IDR',
      status: 'ACTIVE',
      createdAt: new Date(),
      updatedAt: new Date(),
      username: 'budi_santoso',
      phone: '+6281222419751',
    });
    expect(r).toEqual({ accountId: 'acc-1', username: 'bu****so', phone: '+62812****9751' });
  });
});

describe('login with a phone-like identifier never reaches a look-alike username', () => {
  it("logs the phone's owner in, even when an older user has that number as username", async () => {
    const clock = new FakeClock();
    const kv = new InMemoryKeyValueStore(clock.nowMs);
    const users = new InMemoryUserRepository(clock);
    const event = (u: { id: number; username: string; createdAt: Date }, a: { id: string }) => userRegistered(u.id, u.username, a.id, u.createdAt);
    const { user: victim } = await users.registerWithAccount(
      { username: 'victim', email: 'v@example.com', phone: '+6281222419751', passwordHash: 'plain:victim-pass' },
      event,
    );
    // Inserted as before the rule: the repository does not judge usernames, registration does.
    await users.registerWithAccount({ username: '081222419751', email: 's@example.com', phone: '+6281399990000', passwordHash: 'plain:squat-pass' }, event);
    const login = new LoginHandler({
      users,
      hasher: new FakePasswordHasher(),
      throttle: new LoginThrottle(kv),
      sessions: new SessionStarter({
        accessTokens: fakeAccessTokens(kv),
        families: new InMemoryRefreshTokenFamilyRepository(clock),
        refreshTtlSeconds: 604800,
        now: clock.now,
      }),
      events: new RecordingEventLog(),
      now: clock.now,
    });
    for (const form of ['081222419751', '81222419751', '+62 812-2241-9751']) {
      expect((await login.execute({ identifier: form, password: 'victim-pass', clientIp: '10.0.0.1' })).user.id).toBe(victim.id);
    }
    await expect(login.execute({ identifier: '081222419751', password: 'squat-pass', clientIp: '10.0.0.1' })).rejects.toMatchObject({
      code: 'INVALID_CREDENTIALS',
    });
  });
});
