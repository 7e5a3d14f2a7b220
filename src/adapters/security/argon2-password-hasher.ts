import argon2 from 'argon2';
import type { PasswordHasher } from '../../application/ports/password-hasher.ts';

export interface Argon2Params {
  /** KiB; OWASP's minimum for Argon2id is 19456 (19 MiB) with 2 iterations and 1 lane. */
  memoryKiB: number;
  iterations: number;
  parallelism: number;
}

// PHC string: $argon2id$v=19$<params>$salt$hash, params in any order (node-argon2 writes m,p,t).
const ENCODED = /^\$(argon2(?:id|i|d))\$v=\d+\$([a-z]=\d+(?:,[a-z]=\d+)*)\$/;

/** Argon2id with explicit parameters from configuration (ARGON2_MEMORY_KIB, ARGON2_ITERATIONS, ARGON2_PARALLELISM). */
export class Argon2PasswordHasher implements PasswordHasher {
  private readonly params: Argon2Params;

  constructor(params: Argon2Params) {
    this.params = params;
  }

  hash(password: string): Promise<string> {
    return argon2.hash(password, {
      type: argon2.argon2id,
      memoryCost: this.params.memoryKiB,
      timeCost: this.params.iterations,
      parallelism: this.params.parallelism,
    });
  }

  async verify(hash: string, password: string): Promise<boolean> {
    try {
      return await argon2.verify(hash, password);
    } catch {
      return false;
    }
  }

  /** True for anything but Argon2id at (at least) the configured cost: such hashes are upgraded at the next login. */
  needsRehash(hash: string): boolean {
    const m = ENCODED.exec(hash);
    if (!m || m[1] !== 'argon2id') return true;
    const p = Object.fromEntries(m[2]!.split(',').map((kv) => kv.split('=') as [string, string]));
    const below = (key: string, min: number) => !(Number(p[key]) >= min);
    return below('m', this.params.memoryKiB) || below('t', this.params.iterations) || below('p', this.params.parallelism);
  }
}
