import type { PasswordHasher } from '../../ports/password-hasher.ts';
import { userRegistered } from '../../../domain/identity/identity.events.ts';
import type { UserRepository } from '../../../domain/identity/user.repository.ts';

export const DEMO_USER = { username: 'demo', email: 'demo@onegate.local', phone: '+6281200000000' } as const;

/**
 * The embedded default's demo user: created when missing, and given the password passed in (a fresh
 * random one per start, printed by the all-in-one entrypoint), so the printed credentials always work.
 * Never called outside the embedded default.
 */
export class EnsureDemoUserHandler {
  private readonly users: UserRepository;
  private readonly hasher: PasswordHasher;

  constructor(deps: { users: UserRepository; hasher: PasswordHasher }) {
    this.users = deps.users;
    this.hasher = deps.hasher;
  }

  async execute(password: string): Promise<{ username: string; password: string; created: boolean }> {
    const passwordHash = await this.hasher.hash(password);
    const existing = await this.users.findByUsername(DEMO_USER.username);
    if (existing) {
      await this.users.updatePasswordHash(existing.id, passwordHash);
      return { username: existing.username, password, created: false };
    }
    await this.users.registerWithAccount({ ...DEMO_USER, passwordHash }, (u, a) => userRegistered(u.id, u.username, a.id, u.createdAt));
    return { username: DEMO_USER.username, password, created: true };
  }
}
