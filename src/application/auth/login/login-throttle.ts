import type { KeyValueStore } from '../../ports/key-value-store.ts';
import { tooManyLoginAttempts } from '../../../domain/identity/identity.errors.ts';
import { sessionStore } from '../shared/session-store.ts';

/**
 * Brute-force protection for logins, in the key-value store (Redis). The policy, also in the README
 * ("Authentication"):
 * - an account+IP pair: `maxFailures` failed logins within `windowSeconds` lock that pair for
 *   `lockSeconds` (429 + Retry-After);
 * - an account, from all IPs together: the same threshold locks the account for `lockSeconds`, except
 *   from IPs this account logged in from successfully in the last `knownIpSeconds` — so an attacker
 *   elsewhere can lock out strangers but not the owner at their usual places;
 * - an IP, across all accounts: `ipMaxFailures` failures lock that IP (credential stuffing);
 * - every lock is time-bound and refused attempts do not extend it; a success resets the account's
 *   and the pair's counters (not the IP's).
 * Attempts are counted when admitted, before any hashing, with an atomic increment: a burst of
 * parallel guesses cannot get more than `maxFailures` of them checked.
 */
export interface LoginThrottlePolicy {
  maxFailures: number;
  windowSeconds: number;
  lockSeconds: number;
  ipMaxFailures: number;
  knownIpSeconds: number;
}

export const DEFAULT_LOGIN_POLICY: LoginThrottlePolicy = {
  maxFailures: 5,
  windowSeconds: 15 * 60,
  lockSeconds: 15 * 60,
  ipMaxFailures: 50,
  knownIpSeconds: 30 * 86400,
};

export interface AdmittedAttempt {
  accountKey: string;
  ip: string;
  userId: number | null;
  known: boolean;
  pairCount: number;
  accountCount: number;
}

const k = {
  pairCount: (a: string, ip: string) => `auth:login:n:pair:${a}:${ip}`,
  accountCount: (a: string) => `auth:login:n:acct:${a}`,
  ipCount: (ip: string) => `auth:login:n:ip:${ip}`,
  pairLock: (a: string, ip: string) => `auth:login:lock:pair:${a}:${ip}`,
  accountLock: (a: string) => `auth:login:lock:acct:${a}`,
  ipLock: (ip: string) => `auth:login:lock:ip:${ip}`,
  knownIp: (userId: number, ip: string) => `auth:login:known:${userId}:${ip}`,
};

export class LoginThrottle {
  private readonly kv: KeyValueStore;
  private readonly policy: LoginThrottlePolicy;

  constructor(kv: KeyValueStore, policy: LoginThrottlePolicy = DEFAULT_LOGIN_POLICY) {
    this.kv = kv;
    this.policy = policy;
  }

  /** Throws 429 when the attempt must not even be checked (503 when Redis cannot answer); otherwise counts it and lets it through. */
  admit(accountKey: string, ip: string, userId: number | null): Promise<AdmittedAttempt> {
    return sessionStore(() => this.check(accountKey, ip, userId));
  }

  failed(a: AdmittedAttempt): Promise<void> {
    return sessionStore(() => this.recordFailure(a));
  }

  succeeded(a: AdmittedAttempt): Promise<void> {
    return sessionStore(() => this.reset(a));
  }

  private async check(accountKey: string, ip: string, userId: number | null): Promise<AdmittedAttempt> {
    const known = userId !== null && (await this.kv.get(k.knownIp(userId, ip))) !== null;
    await this.refuseIfLocked(k.ipLock(ip));
    await this.refuseIfLocked(k.pairLock(accountKey, ip));
    if (!known) await this.refuseIfLocked(k.accountLock(accountKey));

    // Only a burst of parallel attempts gets past a limit here (a failure at the limit sets the lock).
    // The pair is counted and checked first, so attempts it refuses never count against the account.
    const pair = await this.kv.increment(k.pairCount(accountKey, ip), this.policy.windowSeconds);
    if (pair.value > this.policy.maxFailures) await this.lockAndRefuse(k.pairLock(accountKey, ip));
    const account = await this.kv.increment(k.accountCount(accountKey), this.policy.windowSeconds);
    if (!known && account.value > this.policy.maxFailures) await this.lockAndRefuse(k.accountLock(accountKey));
    return { accountKey, ip, userId, known, pairCount: pair.value, accountCount: account.value };
  }

  private async recordFailure(a: AdmittedAttempt): Promise<void> {
    if (a.pairCount >= this.policy.maxFailures) await this.kv.setIfAbsent(k.pairLock(a.accountKey, a.ip), '1', this.policy.lockSeconds);
    if (a.accountCount >= this.policy.maxFailures) await this.kv.setIfAbsent(k.accountLock(a.accountKey), '1', this.policy.lockSeconds);
    const ip = await this.kv.increment(k.ipCount(a.ip), this.policy.windowSeconds);
    if (ip.value >= this.policy.ipMaxFailures) await this.kv.setIfAbsent(k.ipLock(a.ip), '1', this.policy.lockSeconds);
  }

  private async reset(a: AdmittedAttempt): Promise<void> {
    await this.kv.del(k.pairCount(a.accountKey, a.ip), k.accountCount(a.accountKey), k.pairLock(a.accountKey, a.ip), k.accountLock(a.accountKey));
    if (a.userId !== null) await this.kv.set(k.knownIp(a.userId, a.ip), '1', this.policy.knownIpSeconds);
  }

  private async refuseIfLocked(key: string): Promise<void> {
    const ttl = await this.kv.ttl(key);
    if (ttl > 0) throw tooManyLoginAttempts(ttl);
  }

  private async lockAndRefuse(key: string): Promise<never> {
    await this.kv.setIfAbsent(key, '1', this.policy.lockSeconds);
    throw tooManyLoginAttempts(Math.max(1, await this.kv.ttl(key)));
  }
}
