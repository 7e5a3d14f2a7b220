import type { ApiKey } from '../../domain/regulator/api-key.ts';
import type { ExternalService } from '../../domain/regulator/external-service.ts';
import { isPermission, type Permission } from '../../domain/regulator/permissions.ts';
import { RegulatorErrors } from '../../domain/regulator/regulator.errors.ts';
import type { RegulatorRepository } from '../../domain/regulator/regulator.ports.ts';

/** What the operator's commands share: finding a service or a live key, and reading permissions. */
export async function serviceOf(repo: RegulatorRepository, idOrCompany: string): Promise<ExternalService> {
  const s = await repo.findService(idOrCompany);
  if (!s) throw RegulatorErrors.serviceNotFound(idOrCompany);
  return s;
}

export async function liveKeyOf(repo: RegulatorRepository, id: string): Promise<ApiKey> {
  const key = /^[0-9a-f-]{36}$/i.test(id) ? await repo.findKey(id) : null;
  if (!key) throw RegulatorErrors.apiKeyNotFound(id);
  if (key.revokedAt) throw RegulatorErrors.apiKeyAlreadyRevoked();
  return key;
}

export function validPermissions(list: string[]): Permission[] {
  const out: Permission[] = [];
  for (const p of list.map((s) => s.trim().toUpperCase()).filter(Boolean)) {
    if (!isPermission(p)) throw RegulatorErrors.invalidPermission(p);
    if (!out.includes(p)) out.push(p);
  }
  return out;
}
