import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskIdNumber, maskName, parseIdentity } from '../../src/domain/wallet/kyc.ts';
import { AesGcmIdentityCipher } from '../../src/adapters/security/aes-gcm-identity-cipher.ts';

describe('KYC identity documents', () => {
  it('accepts a 16-digit KTP number, ignoring spaces, dots and dashes, and refuses anything else', () => {
    expect(parseIdentity({ idType: 'ktp', idNumber: '3174 0512-3456.7890', name: '  Budi Santoso ' })).toEqual({
      idType: 'KTP',
      idNumber: '3174051234567890',
      name: 'Budi Santoso',
    });
    expect(parseIdentity({ idType: 'KTP', idNumber: '3174051234567890' }).name).toBeNull();
    expect(() => parseIdentity({ idType: 'PASSPORT', idNumber: '3174051234567890' })).toThrow(/id type/);
    expect(() => parseIdentity({ idType: 'KTP', idNumber: '317405123456789' })).toThrow(/16 digits/);
    expect(() => parseIdentity({ idType: 'KTP', idNumber: '317405123456789x' })).toThrow(/16 digits/);
    expect(() => parseIdentity({ idType: 'KTP', idNumber: '3174051234567890', name: 'a\u0000b' })).toThrow(/name/);
  });

  it('masks all but the last four digits, and names to initials', () => {
    expect(maskIdNumber('3174051234567890')).toBe('************7890');
    expect(maskName('Budi Santoso')).toBe('B*** S******');
    fc.assert(
      fc.property(fc.stringMatching(/^\d{16}$/), (nik) => {
        const m = maskIdNumber(nik);
        return m.length === 16 && m.endsWith(nik.slice(-4)) && !m.slice(0, 12).match(/\d/);
      }),
    );
  });
});

describe('AES-256-GCM identity cipher', () => {
  const cipher = new AesGcmIdentityCipher(randomBytes(32));

  it('round-trips any text, never yields the plain text, and seals the same text differently each time', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 200 }), (plain) => {
        const a = cipher.encrypt(plain);
        const b = cipher.encrypt(plain);
        return cipher.decrypt(a) === plain && a !== b && !a.includes(plain.length > 3 ? plain : '\u0000never');
      }),
    );
  });

  it('refuses a tampered value and a value sealed under another key', () => {
    const sealed = cipher.encrypt('3174051234567890');
    const [v, iv, tag, body] = sealed.split(':') as [string, string, string, string];
    const flipped = Buffer.from(body, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    expect(() => cipher.decrypt([v, iv, tag, flipped.toString('base64url')].join(':'))).toThrow();
    expect(() => new AesGcmIdentityCipher(randomBytes(32)).decrypt(sealed)).toThrow();
    expect(() => cipher.decrypt('plain text')).toThrow(/sealed/);
  });

  it('takes its key from configuration as base64 or hex, 32 bytes only', () => {
    const key = randomBytes(32);
    const fromB64 = AesGcmIdentityCipher.fromConfig(key.toString('base64'));
    expect(AesGcmIdentityCipher.fromConfig(key.toString('hex')).decrypt(fromB64.encrypt('x'))).toBe('x');
    expect(() => AesGcmIdentityCipher.fromConfig(undefined)).toThrow(/KYC_ENCRYPTION_KEY/);
    expect(() => AesGcmIdentityCipher.fromConfig(randomBytes(16).toString('base64'))).toThrow(/32 bytes/);
  });
});
