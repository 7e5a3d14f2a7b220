import type { ApiKey } from '../../domain/regulator/api-key.ts';
import type { RegulatorRepository } from '../../domain/regulator/regulator.ports.ts';
import { liveKeyOf } from './regulator-lookups.ts';

/** Revokes a live key at once. */
export class RevokeKeyHandler {
  private readonly repo: RegulatorRepository;
  private readonly now: () => Date;

  constructor(repo: RegulatorRepository, now: () => Date = () => new Date()) {
    this.repo = repo;
    this.now = now;
  }

  async execute(keyId: string): Promise<ApiKey> {
    const key = await liveKeyOf(this.repo, keyId);
    const at = this.now();
    await this.repo.revokeKey(key.id, at);
    return { ...key, revokedAt: at, isActive: false };
  }
}
