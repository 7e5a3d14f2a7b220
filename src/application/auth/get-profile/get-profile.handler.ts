import { userNotFound } from '../../../domain/identity/identity.errors.ts';
import type { UserRepository } from '../../../domain/identity/user.repository.ts';
import type { AccountSummary, User } from '../../../domain/identity/user.ts';

/** The caller's own profile and account. */
export class GetProfileHandler {
  private readonly users: UserRepository;

  constructor(deps: { users: UserRepository }) {
    this.users = deps.users;
  }

  async execute(userId: number): Promise<{ user: User; account: AccountSummary | null }> {
    const user = await this.users.findById(userId);
    if (!user) throw userNotFound();
    return { user, account: await this.users.accountOf(userId) };
  }
}
