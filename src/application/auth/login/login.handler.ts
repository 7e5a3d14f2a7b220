import { createHash, randomBytes } from 'node:crypto';
import type { PasswordHasher } from '../../ports/password-hasher.ts';
import { PASSWORD_MAX, parseLoginIdentifier, type LoginIdentifier } from '../../../domain/identity/credentials.ts';
import { invalidCredentials, validationFailed } from '../../../domain/identity/identity.errors.ts';
import { userLoggedIn, userLoginFailed, type IdentityEventLog } from '../../../domain/identity/identity.events.ts';
import type { UserRepository } from '../../../domain/identity/user.repository.ts';
import type { User } from '../../../domain/identity/user.ts';
import type { Session, SessionStarter } from '../shared/session.ts';
import type { LoginThrottle } from './login-throttle.ts';

export interface LoginCommand {
  /** A username, an email or a phone number. */
  identifier: string;
  password: string;
  clientIp: string;
}

export interface LoginDeps {
  users: UserRepository;
  hasher: PasswordHasher;
  throttle: LoginThrottle;
  sessions: SessionStarter;
  events: IdentityEventLog;
  now?: () => Date;
}

/**
 * Logs a user in. An unknown user and a wrong password get the same 401 after the same work: the
 * lookup, the throttle, one Argon2id verification (against a dummy hash when nobody matched) and one
 * outbox event.
 */
export class LoginHandler {
  private readonly deps: LoginDeps;
  private dummyHash: Promise<string> | undefined;

  constructor(deps: LoginDeps) {
    this.deps = deps;
  }

  /** Computes the dummy hash ahead of the first login, so that login is not slower than the others. */
  async warmUp(): Promise<void> {
    await this.dummy();
  }

  async execute(cmd: LoginCommand): Promise<{ user: User; session: Session }> {
    if ([...cmd.password].length > PASSWORD_MAX || cmd.password.length === 0) {
      throw validationFailed([{ field: 'password', message: `must be 1–${PASSWORD_MAX} characters` }]);
    }
    const { users, hasher, throttle, events } = this.deps;
    const identifier = parseLoginIdentifier(cmd.identifier);
    const user = await users.findByLogin(identifier);
    const attempt = await throttle.admit(user ? `user:${user.id}` : `unknown:${unknownKey(identifier)}`, cmd.clientIp, user?.id ?? null);

    const hash = user?.passwordHash ?? (await this.dummy());
    const matches = await hasher.verify(hash, cmd.password);
    if (!user || !matches) {
      await throttle.failed(attempt);
      await events.record(userLoginFailed(user?.id ?? null, cmd.clientIp, this.now()));
      throw invalidCredentials();
    }

    await throttle.succeeded(attempt);
    if (hasher.needsRehash(user.passwordHash)) await users.updatePasswordHash(user.id, await hasher.hash(cmd.password));
    const session = await this.deps.sessions.start(user);
    await events.record(userLoggedIn(user.id, session.sessionId, cmd.clientIp, this.now()));
    return { user, session };
  }

  private dummy(): Promise<string> {
    this.dummyHash ??= this.deps.hasher.hash(randomBytes(16).toString('hex'));
    return this.dummyHash;
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}

/** Counters for identifiers that match nobody are keyed by a hash of their normal form, not the raw text. */
function unknownKey(id: LoginIdentifier): string {
  const normal = id.kind === 'phone' ? id.phone : id.kind === 'email' ? id.email : id.username.toLowerCase();
  return createHash('sha256').update(`${id.kind}:${normal}`).digest('hex').slice(0, 32);
}
