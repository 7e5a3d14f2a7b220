import type { ExternalService } from '../../domain/regulator/external-service.ts';
import type { RegulatorRepository } from '../../domain/regulator/regulator.ports.ts';

export class ListServicesQuery {
  private readonly repo: RegulatorRepository;

  constructor(repo: RegulatorRepository) {
    this.repo = repo;
  }

  execute(): Promise<ExternalService[]> {
    return this.repo.listServices();
  }
}
