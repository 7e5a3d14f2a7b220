import type { ExternalService } from '../../domain/regulator/external-service.ts';
import { RegulatorErrors } from '../../domain/regulator/regulator.errors.ts';
import type { NewExternalService, RegulatorRepository } from '../../domain/regulator/regulator.ports.ts';

/** Registers an external service (a regulator, an auditor) that keys are then issued to. */
export class CreateServiceHandler {
  private readonly repo: RegulatorRepository;

  constructor(repo: RegulatorRepository) {
    this.repo = repo;
  }

  async execute(input: NewExternalService): Promise<ExternalService> {
    if (!input.company.trim()) throw RegulatorErrors.invalidService('company is required');
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(input.contactEmail)) throw RegulatorErrors.invalidService('contact email is not an email address');
    if (await this.repo.findService(input.company)) throw RegulatorErrors.serviceExists(input.company);
    return this.repo.createService({ ...input, company: input.company.trim() });
  }
}
