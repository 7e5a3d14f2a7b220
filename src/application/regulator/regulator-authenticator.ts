import { ipAllowed, keyMatches, prefixOf, refusalOf, type ApiKey } from '../../domain/regulator/api-key.ts';
import type { ExternalService } from '../../domain/regulator/external-service.ts';
import type { Permission } from '../../domain/regulator/permissions.ts';
import { rulesOf } from '../../domain/regulator/rate-limits.ts';
import type { DomainError } from '../../domain/shared/domain-error.ts';
import type { RateLimitDecision, RateLimiter, RegulatorRepository } from '../../domain/regulator/regulator.ports.ts';
import { RegulatorErrors } from '../../domain/regulator/regulator.errors.ts';

export interface RegulatorPrincipal {
  key: ApiKey;
  service: ExternalService;
}

const REFUSALS = {
  KEY_INACTIVE: RegulatorErrors.apiKeyInactive,
  KEY_REVOKED: RegulatorErrors.apiKeyRevoked,
  KEY_EXPIRED: RegulatorErrors.apiKeyExpired,
  SERVICE_INACTIVE: RegulatorErrors.keyOfInactiveService,
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
    if (!rawKey) throw RegulatorErrors.apiKeyMissing();
    const prefix = prefixOf(rawKey.trim());
    const found = prefix ? await this.repo.findKeyByPrefix(prefix) : null;
    // Unknown prefix and wrong secret answer alike.
    if (!found || !keyMatches(rawKey.trim(), found.key.hash)) throw RegulatorErrors.apiKeyInvalid();
    onMatched?.(found);
    const refusal = refusalOf(found.key, found.service.isActive, this.now());
    if (refusal) {
      throw REFUSALS[refusal]();
    }
    if (!ipAllowed(found.key.allowedIps, clientIp)) throw RegulatorErrors.ipNotAllowed();
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
      throw RegulatorErrors.rateLimiterUnavailable();
    }
    return decision;
  }

  authorize(principal: RegulatorPrincipal, permission: Permission): void {
    if (!principal.key.permissions.includes(permission)) throw RegulatorErrors.permissionDenied(permission);
  }
}

export function rateLimitedError(decision: RateLimitDecision): DomainError {
  return RegulatorErrors.rateLimited(decision);
}
