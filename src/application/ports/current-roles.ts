import type { Role } from '../../domain/identity/user.ts';

/**
 * The user's role as the system of record (PostgreSQL) holds it now. Privileged routes ask it on
 * every request: an access token's `role` is a copy from when it was issued, and `users
 * revoke-admin` must take effect at once, in every deployment (the CLI reaches the database, not
 * an embedded server's memory).
 */
export interface CurrentRoles {
  roleOf(userId: number): Promise<Role | null>;
}
