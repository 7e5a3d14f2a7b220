import type { ApiKey } from '../../domain/regulator/api-key.ts';
import type { RegulatorRepository } from '../../domain/regulator/regulator.ports.ts';
import { serviceOf } from './regulator-lookups.ts';

/** Every key, or one service's. */
export class ListKeysQuery {
  private readonly repo: RegulatorRepository;

  constructor(repo: RegulatorRepository) {
    this.repo = repo;
  }

  async execute(service?: string): Promise<ApiKey[]> {
    return this.repo.listKeys(service ? (await serviceOf(this.repo, service)).id : undefined);
  }
}
