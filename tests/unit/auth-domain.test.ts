import { describe, expect, it } from 'vitest';
import { parseLoginIdentifier, parseRegistration, passwordLengthOk } from '../../src/domain/identity/credentials.ts';
import { normaliseEmail } from '../../src/domain/shared/email.ts';
import { parseIndonesianMobile as normaliseIndonesianPhone } from '../../src/domain/shared/phone.ts';
import { hashRefreshToken, newRefreshToken } from '../../src/domain/identity/refresh-token.ts';
import { revoke, rotate, startFamily } from '../../src/domain/identity/refresh-token-family.ts';
import { DomainError } from '../../src/domain/shared/domain-error.ts';

describe('Indonesian mobile numbers', () => {
  it.each([
    ['081234567890', '+6281234567890'],
    ['6281234567890', '+6281234567890'],
    ['+6281234567890', '+6281234567890'],
    ['+62 812-3456-7890', '+6281234567890'],
    ['0812.3456.789', '+628123456789'],
    ['(0812) 3456 7890', '+6281234567890'],
    ['0811234567', '+62811234567'],
  ])('%s → %s', (input, expected) => expect(normaliseIndonesianPhone(input)).toBe(expected));

  it.each(['', '0812', '02112345678', '+6221123456789', '+15551234567', '0812345678901234', '081212345', '08123456789a', '+62-', '0802345678', 'abc'])(
    'refuses %s',
    (input) => {
      expect(normaliseIndonesianPhone(input)).toBeNull();
    },
  );
});

describe('registration input', () => {
  const valid = { username: 'budi_s.123', email: ' Budi@Example.COM ', phone: '081234567890', password: 'rahasia-sekali' };

  it('normalises email (lowercase) and phone (+628…) and keeps the username as typed', () => {
    expect(parseRegistration(valid)).toEqual({ username: 'budi_s.123', email: 'budi@example.com', phone: '+6281234567890', password: 'rahasia-sekali' });
  });

  it('reports every invalid field at once as a 400', () => {
    try {
      parseRegistration({ username: 'ab', email: 'x@y', phone: '12', password: 'short' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DomainError);
      const err = e as DomainError;
      expect(err.kind).toBe('invalid');
      expect(err.details!.errors!.map((x) => x.field)).toEqual(['username', 'email', 'phone', 'password']);
    }
  });

  it.each(['ab', 'a'.repeat(51), 'has space', 'dash-name', 'émile', 'a@b'])('refuses username %j', (username) => {
    expect(() => parseRegistration({ ...valid, username })).toThrow(DomainError);
  });

  it('counts password length in characters, 8 to 128', () => {
    expect(passwordLengthOk('1234567')).toBe(false);
    expect(passwordLengthOk('12345678')).toBe(true);
    expect(passwordLengthOk('x'.repeat(128))).toBe(true);
    expect(passwordLengthOk('x'.repeat(129))).toBe(false);
    expect(passwordLengthOk('🔒'.repeat(8))).toBe(true);
  });

  it('checks emails loosely but surely', () => {
    expect(normaliseEmail('A@B.CO')).toBe('a@b.co');
    for (const bad of ['a@b', '@b.co', 'a b@c.co', 'a@@b.co', `${'x'.repeat(251)}@b.co`]) expect(normaliseEmail(bad)).toBeNull();
  });
});

describe('login identifiers', () => {
  it('is exactly one of a phone, an email or a username: a phone- or email-like text is never a username', () => {
    expect(parseLoginIdentifier('budi')).toEqual({ kind: 'username', username: 'budi' });
    expect(parseLoginIdentifier(' Budi@Example.com ')).toEqual({ kind: 'email', email: 'budi@example.com' });
    expect(parseLoginIdentifier('081234567890')).toEqual({ kind: 'phone', phone: '+6281234567890' });
    expect(parseLoginIdentifier('81234567890')).toEqual({ kind: 'phone', phone: '+6281234567890' });
  });
});

describe('refresh tokens and their families', () => {
  const t0 = new Date('2026-11-25T10:00:00Z');
  const later = (s: number) => new Date(t0.getTime() + s * 1000);
  const h = (s: string) => hashRefreshToken(s);
  const family = () => startFamily('f1', 7, { hash: h('one'), accessJti: 'j1', expiresAt: later(3600) }, t0);

  it('tokens are 256-bit random base64url; only the SHA-256 hex is stored', () => {
    const a = newRefreshToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newRefreshToken()).not.toBe(a);
    expect(hashRefreshToken(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashRefreshToken(a)).toBe(hashRefreshToken(a));
  });

  it('rotates the current token: it joins the used ones, the next one becomes current', () => {
    const out = rotate(family(), h('one'), { hash: h('two'), accessJti: 'j2', expiresAt: later(7200) }, later(60));
    expect(out.kind).toBe('rotated');
    if (out.kind !== 'rotated') return;
    expect(out.family).toMatchObject({
      currentHash: h('two'),
      usedHashes: [h('one')],
      accessJti: 'j2',
      rotatedAt: later(60),
      expiresAt: later(7200),
      revokedAt: null,
    });
  });

  it('a used token revokes the family, keeping the last access jti to deny', () => {
    const rotated = rotate(family(), h('one'), { hash: h('two'), accessJti: 'j2', expiresAt: later(7200) }, later(60));
    if (rotated.kind !== 'rotated') throw new Error('expected rotation');
    const reused = rotate(rotated.family, h('one'), { hash: h('three'), accessJti: 'j3', expiresAt: later(7200) }, later(120));
    expect(reused.kind).toBe('reused');
    if (reused.kind !== 'reused') return;
    expect(reused.family).toMatchObject({ revokedAt: later(120), revokedReason: 'REUSE_DETECTED', accessJti: 'j2', currentHash: h('two') });
    // …after which even the current token is refused.
    expect(rotate(reused.family, h('two'), { hash: h('four'), accessJti: 'j4', expiresAt: later(7200) }, later(130)).kind).toBe('revoked');
  });

  it('refuses expired, revoked and foreign tokens', () => {
    const next = { hash: h('two'), accessJti: 'j2', expiresAt: later(7200) };
    expect(rotate(family(), h('one'), next, later(3600)).kind).toBe('expired');
    expect(rotate(revoke(family(), 'LOGOUT', later(1)), h('one'), next, later(2)).kind).toBe('revoked');
    expect(rotate(family(), h('other'), next, later(1)).kind).toBe('unknown');
  });

  it('revoking twice keeps the first reason', () => {
    const once = revoke(family(), 'LOGOUT', later(1));
    expect(revoke(once, 'REUSE_DETECTED', later(2))).toMatchObject({ revokedAt: later(1), revokedReason: 'LOGOUT' });
  });
});
