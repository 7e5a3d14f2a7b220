import type { PasswordHasher } from '../../ports/password-hasher.ts';
import { parseRegistration, type RegistrationInput } from '../../../domain/identity/credentials.ts';
import { userRegistered } from '../../../domain/identity/identity.events.ts';
import type { UserRepository } from '../../../domain/identity/user.repository.ts';
import type { AccountSummary, User } from '../../../domain/identity/user.ts';

/** Registers a user and opens its ACTIVE IDR account with balance 0.00, in one transaction. */
export class RegisterHandler {
  private readonly users: UserRepository;
  private readonly hasher: PasswordHasher;

  constructor(deps: { users: UserRepository; hasher: PasswordHasher }) {
    this.users = deps.users;
    this.hasher = deps.hasher;
  }

  async execute(input: RegistrationInput): Promise<{ user: User; account: AccountSummary }> {
    // Validation (including the password's length) comes before the costly hash.
    const valid = parseRegistration(input);
    const passwordHash = await this.hasher.hash(valid.password);
    return this.users.registerWithAccount({ username: valid.username, email: valid.email, phone: valid.phone, passwordHash }, (user, account) =>
      userRegistered(user.id, user.username, account.id, user.createdAt),
    );
  }
}
