import { describe, expect, it } from 'vitest';
import { Argon2PasswordHasher } from '../../src/adapters/security/argon2-password-hasher.ts';
import { loadConfig } from '../../src/entrypoints/shared/config.ts';
import { argon2Params } from '../../src/entrypoints/auth/auth.module.ts';

describe('Argon2id password hasher', () => {
  const hasher = new Argon2PasswordHasher(argon2Params(loadConfig({})));

  it('hashes with Argon2id at OWASP’s minimum by default (19 MiB, 2 iterations, 1 lane), salted', async () => {
    const a = await hasher.hash('rahasia-sekali');
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    expect(await hasher.hash('rahasia-sekali')).not.toBe(a);
    expect(await hasher.verify(a, 'rahasia-sekali')).toBe(true);
    expect(await hasher.verify(a, 'rahasia-sekalI')).toBe(false);
  });

  it('answers false, not an exception, for a malformed hash', async () => {
    expect(await hasher.verify('not-a-hash', 'x')).toBe(false);
    expect(await hasher.verify('', 'x')).toBe(false);
  });

  it('asks for a rehash of weaker or non-Argon2id hashes only', async () => {
    const stronger = new Argon2PasswordHasher({ memoryKiB: 32768, iterations: 3, parallelism: 1 });
    const weak = await hasher.hash('pw-pw-pw-pw');
    expect(hasher.needsRehash(weak)).toBe(false);
    expect(stronger.needsRehash(weak)).toBe(true);
    expect(hasher.needsRehash(await stronger.hash('pw-pw-pw-pw'))).toBe(false);
    expect(hasher.needsRehash('$argon2i$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaA')).toBe(true);
    expect(hasher.needsRehash('$2b$10$abcdefghijklmnopqrstuv')).toBe(true);
  });

  it('refuses configuration below the OWASP minimum', () => {
    expect(() => loadConfig({ ARGON2_MEMORY_KIB: '4096' })).toThrow(/ARGON2_MEMORY_KIB/);
    expect(() => loadConfig({ ARGON2_ITERATIONS: '1' })).toThrow(/ARGON2_ITERATIONS/);
  });
});
