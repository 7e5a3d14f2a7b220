import type { UserRepository } from '../../../domain/identity/user.repository.ts';
import type { Role, User } from '../../../domain/identity/user.ts';

export class ListUsersHandler {
  private readonly users: UserRepository;

  constructor(deps: { users: UserRepository }) {
    this.users = deps.users;
  }

  execute(filter: { role?: Role; limit: number; offset: number }): Promise<User[]> {
    return this.users.list({ ...filter, limit: Math.min(Math.max(filter.limit, 1), 1000), offset: Math.max(filter.offset, 0) });
  }
}
