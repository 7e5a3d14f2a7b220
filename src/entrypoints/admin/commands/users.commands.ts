import { UsageError, requireFlag, type AdminCommand, type AdminContext } from '../cli.ts';
import { PostgresUserRepository } from '../../../adapters/persistence/identity/postgres-user.repository.ts';
import { SetRoleHandler } from '../../../application/auth/grant-admin/grant-admin.handler.ts';
import { ListUsersHandler } from '../../../application/auth/list-users/list-users.handler.ts';
import { ROLES, type Role, type User } from '../../../domain/identity/user.ts';

const usersOf = (ctx: AdminContext) => new PostgresUserRepository(ctx.orm, { topic: ctx.config.KAFKA_TOPIC_USERS });

const userJson = (u: User) => ({ id: u.id, username: u.username, email: u.email, phone: u.phone, role: u.role, created_at: u.createdAt.toISOString() });

function intFlag(ctx: AdminContext, name: string, fallback: number): number {
  const v = ctx.flags[name];
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || !/^\d{1,6}$/.test(v)) throw new UsageError(`--${name} must be a whole number`);
  return Number(v);
}

function setRoleCommand(name: string, role: Role, summary: string): AdminCommand {
  return {
    name,
    summary,
    usage: `${name} --username NAME`,
    async run(ctx) {
      const { user, changed } = await new SetRoleHandler({ users: usersOf(ctx) }).execute(requireFlag(ctx.flags, 'username'), role);
      await ctx.audit(
        name.replace(' ', '.'),
        { type: 'user', id: String(user.id) },
        { before: { role: changed ? (role === 'ADMIN' ? 'USER' : 'ADMIN') : role }, after: { role }, details: { changed } },
      );
      ctx.print(
        { ...userJson(user), changed },
        changed
          ? `${user.username} is now ${role} (admin routes check the role at once; tokens carry it from the next login or refresh)`
          : `${user.username} already has role ${role}`,
      );
    },
  };
}

/** Roles are granted here only: no HTTP route can make anyone ADMIN. */
export const usersCommands: AdminCommand[] = [
  setRoleCommand('users grant-admin', 'ADMIN', 'give a user the ADMIN role'),
  setRoleCommand('users revoke-admin', 'USER', 'take the ADMIN role away (back to USER)'),
  {
    name: 'users list',
    summary: 'list users (newest id last)',
    usage: 'users list [--role USER|ADMIN] [--limit 50] [--offset 0]',
    async run(ctx) {
      const roleFlag = ctx.flags.role;
      if (roleFlag !== undefined && (typeof roleFlag !== 'string' || !ROLES.includes(roleFlag.toUpperCase() as Role)))
        throw new UsageError('--role must be USER or ADMIN');
      const role = typeof roleFlag === 'string' ? (roleFlag.toUpperCase() as Role) : undefined;
      const list = await new ListUsersHandler({ users: usersOf(ctx) }).execute({ role, limit: intFlag(ctx, 'limit', 50), offset: intFlag(ctx, 'offset', 0) });
      ctx.print(
        list.map(userJson),
        list.map((u) => `${String(u.id).padStart(6)}  ${u.username.padEnd(24)} ${u.role.padEnd(5)}  ${u.email}  ${u.phone}`).join('\n') || 'no users',
      );
    },
  },
];
