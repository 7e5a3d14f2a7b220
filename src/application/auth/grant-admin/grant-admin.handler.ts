import { userNotFound } from '../../../domain/identity/identity.errors.ts';
import type { UserRepository } from '../../../domain/identity/user.repository.ts';
import type { Role, User } from '../../../domain/identity/user.ts';

/**
 * Changes a user's role. Only the admin CLI calls this: no HTTP route grants ADMIN. Privileged
 * routes check the role in PostgreSQL on every request (`requireRole`), so revoking ADMIN takes
 * effect at once for every token already issued; new tokens carry the new role from the next login
 * or refresh.
 */
export class SetRoleHandler {
  private readonly users: UserRepository;

  constructor(deps: { users: UserRepository }) {
    this.users = deps.users;
  }

  async execute(username: string, role: Role): Promise<{ user: User; changed: boolean }> {
    const user = await this.users.findByUsername(username);
    if (!user) throw userNotFound();
    if (user.role === role) return { user, changed: false };
    await this.users.setRole(user.id, role);
    return { user: { ...user, role }, changed: true };
  }
}
