import { DomainError } from '../shared/domain-error.ts';

/** Daily reconciliation's refusals: unknown or settled cases, resolutions that do not apply. */
export const ReconciliationErrors = {
  caseNotFound: () => new DomainError('CASE_NOT_FOUND', 'not_found', 'no such reconciliation case'),
  caseAlreadyResolved: () => new DomainError('CASE_ALREADY_RESOLVED', 'conflict', 'this reconciliation case is already resolved'),
  noteRequired: () => new DomainError('NOTE_REQUIRED', 'invalid', 'a no-action resolution needs a --note saying why'),
  resolutionNotApplicable: (message: string) => new DomainError('RESOLUTION_NOT_APPLICABLE', 'business_rule', message),
};
