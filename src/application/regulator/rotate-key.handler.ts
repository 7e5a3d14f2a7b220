import { generateApiKey } from '../../domain/regulator/api-key.ts';
import type { RegulatorRepository } from '../../domain/regulator/regulator.ports.ts';
import type { IssuedKey } from './issue-key.handler.ts';
import { liveKeyOf, serviceOf } from './regulator-lookups.ts';

/** A new key with the old one's settings; the old one keeps working for `overlapSeconds`. */
export class RotateKeyHandler {
  private readonly repo: RegulatorRepository;
  private readonly now: () => Date;

  constructor(repo: RegulatorRepository, now: () => Date = () => new Date()) {
    this.repo = repo;
    this.now = now;
  }

  async execute(keyId: string, overlapSeconds: number): Promise<IssuedKey & { oldKeyValidUntil: Date }> {
    const old = await liveKeyOf(this.repo, keyId);
    const service = await serviceOf(this.repo, old.externalServiceId);
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
}
