import type { ExternalService } from '../../domain/regulator/external-service.ts';
import type { RegulatorRepository } from '../../domain/regulator/regulator.ports.ts';
import { serviceOf } from './regulator-lookups.ts';

/** Turns a service off: every one of its keys is refused from then on (SERVICE_INACTIVE). */
export class DeactivateServiceHandler {
  private readonly repo: RegulatorRepository;

  constructor(repo: RegulatorRepository) {
    this.repo = repo;
  }

  async execute(idOrCompany: string): Promise<ExternalService> {
    const s = await serviceOf(this.repo, idOrCompany);
    await this.repo.setServiceActive(s.id, false);
    return { ...s, isActive: false };
  }
}
