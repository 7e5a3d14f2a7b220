import { ipAllowed, keyMatches, prefixOf, refusalOf, type ApiKey } from '../../domain/regulator/api-key.ts';
import type { ExternalService } from '../../domain/regulator/external-service.ts';
import type { Permission } from '../../domain/regulator/permissions.ts';
import { rulesOf } from '../../domain/regulator/rate-limits.ts';
import { DomainError } from '../../domain/shared/domain-error.ts';
import type { RateLimitDecision, RateLimiter, RegulatorRepository } from '../../domain/regulator/regulator.ports.ts';

export interface RegulatorPrincipal {
  key: ApiKey;
  service: ExternalService;
}

const REFUSAL_MESSAGES = {
  KEY_INACTIVE: ['API_KEY_INACTIVE', 'API key is inactive'],
  KEY_REVOKED: ['API_KEY_REVOKED', 'API key was revoked'],
  KEY_EXPIRED: ['API_KEY_EXPIRED', 'API key has expired'],
  SERVICE_INACTIVE: ['SERVICE_INACTIVE', 'external service is inactive'],
} as const;

/**
 * The regulator API's gate, in three steps so the HTTP layer can audit what it learnt at each:
 * identify the key (401), count it against its limits (429, or 503 when the limiter is down),
 * check the permission (403).
 */
export class RegulatorAuthenticator {
  private readonly repo: RegulatorRepository;
  private readonly limiter: RateLimiter;
  private readonly now: () => Date;

  constructor(repo: RegulatorRepository, limiter: RateLimiter, now: () => Date = () => new Date()) {
    this.repo = repo;
    this.limiter = limiter;
    this.now = now;
  }

  /** `onMatched` learns the key as soon as it matched, so refusals after that point are audited with it. */
  async identify(rawKey: string | undefined, clientIp: string, onMatched?: (p: RegulatorPrincipal) => void): Promise<RegulatorPrincipal> {
    if (!rawKey) throw new DomainError('API_KEY_MISSING', 'unauthenticated', 'API key required in the X-API-Key header');
    const prefix = prefixOf(rawKey.trim());
    const found = prefix ? await this.repo.findKeyByPrefix(prefix) : null;
    // Unknown prefix and wrong secret answer alike.
    if (!found || !keyMatches(rawKey.trim(), found.key.hash)) throw new DomainError('API_KEY_INVALID', 'unauthenticated', 'invalid API key');
    onMatched?.(found);
    const refusal = refusalOf(found.key, found.service.isActive, this.now());
    if (refusal) {
      const [code, message] = REFUSAL_MESSAGES[refusal];
      throw new DomainError(code, 'unauthenticated', message);
    }
    if (!ipAllowed(found.key.allowedIps, clientIp)) throw new DomainError('IP_NOT_ALLOWED', 'forbidden', 'this API key may not be used from this address');
    return found;
  }

  /** Counts the request; throws 429 when over a limit, 503 when the limiter cannot answer. */
  async limit(principal: RegulatorPrincipal): Promise<RateLimitDecision | null> {
    const rules = rulesOf(principal.key.rateLimits);
    if (rules.length === 0) return null;
    let decision: RateLimitDecision;
    try {
      decision = await this.limiter.consume(`apikey:${principal.key.id}`, rules);
    } catch {
      // Without the shared counters the limits cannot be enforced: refuse rather than serve unlimited.
      throw new DomainError('RATE_LIMITER_UNAVAILABLE', 'unavailable', 'rate limiting is unavailable; try again later');
    }
    return decision;
  }

  authorize(principal: RegulatorPrincipal, permission: Permission): void {
    if (!principal.key.permissions.includes(permission)) throw new DomainError('PERMISSION_DENIED', 'forbidden', `API key lacks the ${permission} permission`);
  }
}

export function rateLimitedError(decision: RateLimitDecision): DomainError {
  return new DomainError('RATE_LIMITED', 'rate_limited', `rate limit exceeded (${decision.limit} per ${decision.window})`, { retryAfterSeconds: decision.retryAfterSeconds });
}
