import { generateApiKey, isValidIpEntry, type ApiKey } from '../../domain/regulator/api-key.ts';
import type { ExternalService } from '../../domain/regulator/external-service.ts';
import type { RateLimits } from '../../domain/regulator/rate-limits.ts';
import { RegulatorErrors } from '../../domain/regulator/regulator.errors.ts';
import type { RegulatorRepository } from '../../domain/regulator/regulator.ports.ts';
import { serviceOf, validPermissions } from './regulator-lookups.ts';

export interface IssueKeyInput {
  service: string;
  name: string;
  permissions?: string[];
  rateLimits?: RateLimits;
  expiresAt?: Date | null;
  allowedIps?: string[] | null;
}

export interface IssuedKey {
  /** The key itself: shown once, never stored. */
  key: string;
  apiKey: ApiKey;
  service: ExternalService;
}

/** A new API key for an active service; its permissions and limits default to the service's. */
export class IssueKeyHandler {
  private readonly repo: RegulatorRepository;
  private readonly now: () => Date;

  constructor(repo: RegulatorRepository, now: () => Date = () => new Date()) {
    this.repo = repo;
    this.now = now;
  }

  async execute(input: IssueKeyInput): Promise<IssuedKey> {
    const service = await serviceOf(this.repo, input.service);
    if (!service.isActive) throw RegulatorErrors.serviceInactive(service.company);
    if (!input.name.trim()) throw RegulatorErrors.invalidKey('key name is required');
    const permissions = input.permissions ? validPermissions(input.permissions) : service.defaultPermissions;
    if (permissions.length === 0) throw RegulatorErrors.invalidKey('a key needs at least one permission');
    if (input.expiresAt && input.expiresAt.getTime() <= this.now().getTime()) throw RegulatorErrors.invalidKey('expiry must be in the future');
    for (const ip of input.allowedIps ?? []) if (!isValidIpEntry(ip)) throw RegulatorErrors.invalidKey(`"${ip}" is not an IP address or IPv4 CIDR block`);
    const generated = generateApiKey();
    const apiKey = await this.repo.insertKey({
      id: crypto.randomUUID(),
      externalServiceId: service.id,
      name: input.name.trim(),
      prefix: generated.prefix,
      hash: generated.hash,
      permissions,
      rateLimits: input.rateLimits ?? service.defaultRateLimits,
      expiresAt: input.expiresAt ?? null,
      allowedIps: input.allowedIps?.length ? input.allowedIps : null,
      isActive: true,
      revokedAt: null,
      rotatedFrom: null,
    });
    return { key: generated.key, apiKey, service };
  }
}
