import type { RegulatorRepository } from '../../domain/regulator/regulator.ports.ts';
import { CreateServiceHandler } from './create-service.handler.ts';
import { DeactivateServiceHandler } from './deactivate-service.handler.ts';
import { IssueKeyHandler } from './issue-key.handler.ts';
import { ListKeysQuery } from './list-keys.query.ts';
import { ListServicesQuery } from './list-services.query.ts';
import { RevokeKeyHandler } from './revoke-key.handler.ts';
import { RotateKeyHandler } from './rotate-key.handler.ts';

export type { IssueKeyInput, IssuedKey } from './issue-key.handler.ts';

/** The operator's use cases for external services and their keys (run from the admin CLI), one object each. */
export interface RegulatorAdmin {
  createService: CreateServiceHandler;
  listServices: ListServicesQuery;
  deactivateService: DeactivateServiceHandler;
  issueKey: IssueKeyHandler;
  listKeys: ListKeysQuery;
  rotateKey: RotateKeyHandler;
  revokeKey: RevokeKeyHandler;
}

export function regulatorAdmin(repo: RegulatorRepository, now: () => Date = () => new Date()): RegulatorAdmin {
  return {
    createService: new CreateServiceHandler(repo),
    listServices: new ListServicesQuery(repo),
    deactivateService: new DeactivateServiceHandler(repo),
    issueKey: new IssueKeyHandler(repo, now),
    listKeys: new ListKeysQuery(repo),
    rotateKey: new RotateKeyHandler(repo, now),
    revokeKey: new RevokeKeyHandler(repo, now),
  };
}
