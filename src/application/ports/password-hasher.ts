/** Hashes and checks passwords (Argon2id in production). Callers check the length before calling. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** False for a wrong password or a malformed hash; never throws for either. */
  verify(hash: string, password: string): Promise<boolean>;
  /** True when the hash was made with weaker parameters than the current ones (rehash at next login). */
  needsRehash(hash: string): boolean;
}
