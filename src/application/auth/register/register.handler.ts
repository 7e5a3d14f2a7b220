import type { PasswordHasher } from '../../ports/password-hasher.ts';
import type { KeyValueStore } from '../../ports/key-value-store.ts';
import { parseRegistration, type RegistrationInput } from '../../../domain/identity/credentials.ts';
import { userRegistered } from '../../../domain/identity/identity.events.ts';
import type { UserRepository } from '../../../domain/identity/user.repository.ts';
import type { AccountSummary, User } from '../../../domain/identity/user.ts';
import { IdentityErrors } from '../../../domain/identity/identity.errors.ts';

/** Registers a user and opens its ACTIVE IDR account with balance 0.00, in one transaction. */
export class RegisterHandler {
  private readonly users: UserRepository;
  private readonly hasher: PasswordHasher;
  private readonly limit: { kv: KeyValueStore; perHour: number } | undefined;

  constructor(deps: { users: UserRepository; hasher: PasswordHasher; limit?: { kv: KeyValueStore; perHour: number } }) {
    this.users = deps.users;
    this.hasher = deps.hasher;
    this.limit = deps.limit;
  }

  async execute(input: RegistrationInput, clientIp?: string): Promise<{ user: User; account: AccountSummary }> {
    // Validation (including the password's length) comes before the costly hash.
    const valid = parseRegistration(input);
    await this.admit(clientIp);
    const passwordHash = await this.hasher.hash(valid.password);
    return this.users.registerWithAccount({ username: valid.username, email: valid.email, phone: valid.phone, passwordHash }, (user, account) =>
      userRegistered(user.id, user.username, account.id, user.createdAt),
    );
  }

  /** Each registration costs an Argon2id hash: one client IP gets a bounded number per hour. */
  private async admit(clientIp: string | undefined): Promise<void> {
    if (!this.limit || !clientIp) return;
    const { value, ttlSeconds } = await this.limit.kv.increment(`auth:register-ip:${clientIp}`, 3600);
    if (value > this.limit.perHour) {
      throw IdentityErrors.tooManyRegistrations('too many registrations from this address; try again later', { retryAfterSeconds: Math.max(1, ttlSeconds) });
    }
  }
}
