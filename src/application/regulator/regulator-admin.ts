import { generateApiKey, isValidIpEntry, type ApiKey } from '../../domain/regulator/api-key.ts';
import type { ExternalService } from '../../domain/regulator/external-service.ts';
import { isPermission, PERMISSIONS, type Permission } from '../../domain/regulator/permissions.ts';
import type { RateLimits } from '../../domain/regulator/rate-limits.ts';
import { DomainError } from '../../domain/shared/domain-error.ts';
import type { NewExternalService, RegulatorRepository } from '../../domain/regulator/regulator.ports.ts';

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

/** The operator's use cases for external services and their keys (run from the admin CLI). */
export class RegulatorAdmin {
  private readonly repo: RegulatorRepository;
  private readonly now: () => Date;

  constructor(repo: RegulatorRepository, now: () => Date = () => new Date()) {
    this.repo = repo;
    this.now = now;
  }

  async createService(input: NewExternalService): Promise<ExternalService> {
    if (!input.company.trim()) throw new DomainError('INVALID_SERVICE', 'invalid', 'company is required');
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(input.contactEmail)) throw new DomainError('INVALID_SERVICE', 'invalid', 'contact email is not an email address');
    if (await this.repo.findService(input.company)) throw new DomainError('SERVICE_EXISTS', 'conflict', `external service "${input.company}" already exists`);
    return this.repo.createService({ ...input, company: input.company.trim() });
  }

  listServices(): Promise<ExternalService[]> {
    return this.repo.listServices();
  }

  async deactivateService(idOrCompany: string): Promise<ExternalService> {
    const s = await this.service(idOrCompany);
    await this.repo.setServiceActive(s.id, false);
    return { ...s, isActive: false };
  }

  async issueKey(input: IssueKeyInput): Promise<IssuedKey> {
    const service = await this.service(input.service);
    if (!service.isActive) throw new DomainError('SERVICE_INACTIVE', 'business_rule', `external service "${service.company}" is inactive`);
    if (!input.name.trim()) throw new DomainError('INVALID_KEY', 'invalid', 'key name is required');
    const permissions = input.permissions ? validPermissions(input.permissions) : service.defaultPermissions;
    if (permissions.length === 0) throw new DomainError('INVALID_KEY', 'invalid', 'a key needs at least one permission');
    if (input.expiresAt && input.expiresAt.getTime() <= this.now().getTime()) throw new DomainError('INVALID_KEY', 'invalid', 'expiry must be in the future');
    for (const ip of input.allowedIps ?? []) if (!isValidIpEntry(ip)) throw new DomainError('INVALID_KEY', 'invalid', `"${ip}" is not an IP address or IPv4 CIDR block`);
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

  async listKeys(service?: string): Promise<ApiKey[]> {
    return this.repo.listKeys(service ? (await this.service(service)).id : undefined);
  }

  /** A new key with the old one's settings; the old one keeps working for `overlapSeconds`. */
  async rotateKey(keyId: string, overlapSeconds: number): Promise<IssuedKey & { oldKeyValidUntil: Date }> {
    const old = await this.liveKey(keyId);
    const service = await this.service(old.externalServiceId);
    const generated = generateApiKey();
    const apiKey = await this.repo.insertKey({
      ...old,
      id: crypto.randomUUID(),
      prefix: generated.prefix,
      hash: generated.hash,
      revokedAt: null,
      isActive: true,
      rotatedFrom: old.id,
    });
    const until = new Date(this.now().getTime() + overlapSeconds * 1000);
    const validUntil = old.expiresAt && old.expiresAt < until ? old.expiresAt : until;
    await this.repo.expireKeyBy(old.id, validUntil);
    return { key: generated.key, apiKey, service, oldKeyValidUntil: validUntil };
  }

  async revokeKey(keyId: string): Promise<ApiKey> {
    const key = await this.liveKey(keyId);
    const at = this.now();
    await this.repo.revokeKey(key.id, at);
    return { ...key, revokedAt: at, isActive: false };
  }

  private async service(idOrCompany: string): Promise<ExternalService> {
    const s = await this.repo.findService(idOrCompany);
    if (!s) throw new DomainError('SERVICE_NOT_FOUND', 'not_found', `no external service "${idOrCompany}"`);
    return s;
  }

  private async liveKey(id: string): Promise<ApiKey> {
    const key = /^[0-9a-f-]{36}$/i.test(id) ? await this.repo.findKey(id) : null;
    if (!key) throw new DomainError('API_KEY_NOT_FOUND', 'not_found', `no API key "${id}"`);
    if (key.revokedAt) throw new DomainError('API_KEY_REVOKED', 'business_rule', 'API key is already revoked');
    return key;
  }
}

function validPermissions(list: string[]): Permission[] {
  const out: Permission[] = [];
  for (const p of list.map((s) => s.trim().toUpperCase()).filter(Boolean)) {
    if (!isPermission(p)) throw new DomainError('INVALID_PERMISSION', 'invalid', `unknown permission "${p}" (${PERMISSIONS.join(', ')})`);
    if (!out.includes(p)) out.push(p);
  }
  return out;
}
