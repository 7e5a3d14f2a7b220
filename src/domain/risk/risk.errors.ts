import { DomainError } from '../shared/domain-error.ts';

/** The fraud rules' refusals. A block says nothing of which rule or threshold: that would teach an attacker the limits. */
export const RiskErrors = {
  blocked: () => new DomainError('RISK_BLOCKED', 'business_rule', 'this transaction cannot be processed'),
  caseNotFound: () => new DomainError('RISK_CASE_NOT_FOUND', 'not_found', 'risk case not found'),
  invalidRule: (message: string) => new DomainError('INVALID_RISK_RULE', 'invalid', message),
};
