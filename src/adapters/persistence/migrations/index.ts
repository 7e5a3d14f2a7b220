import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261125000000InitialSchema } from './20261125000000-initial-schema.ts';
import { Migration20261125010000IdempotencyKeys } from './20261125010000-idempotency-keys.ts';
import { Migration20261125010100OutboxSequence } from './20261125010100-outbox-sequence.ts';
import { Migration20261125020000RefreshTokenFamilies } from './20261125020000-refresh-token-families.ts';
import { Migration20261125030000PaymentLedger } from './20261125030000-payment-ledger.ts';
import { Migration20261125040000TransactionService } from './20261125040000-transaction-service.ts';
import { Migration20261125040100ReportReadModelBackfill } from './20261125040100-report-read-model-backfill.ts';
import { Migration20261201191030Merchants } from './20261201191030-merchants.ts';
import { Migration20261201193358Reconciliation } from './20261201193358-reconciliation.ts';
import { Migration20261201191219FinalityReconcileClaimsDiscrepancies } from './20261201191219-finality-reconcile-claims-discrepancies.ts';
import { Migration20261201191608IdentityLookalikeUsernames } from './20261201191608-identity-lookalike-usernames.ts';
import { Migration20261201194144MerchantPayouts } from './20261201194144-merchant-payouts.ts';
import { Migration20261201200811AuditTrail } from './20261201200811-audit-trail.ts';
import { Migration20261201202849KycTiers } from './20261201202849-kyc-tiers.ts';
import { Migration20261201202500TopologyOutboxRelayLease } from './20261201202500-topology-outbox-relay-lease.ts';
import { Migration20261201202900TopologyFundingOpening } from './20261201202900-topology-funding-opening.ts';
import { Migration20261201230857PayoutChecks } from './20261201230857-payout-checks.ts';
import { Migration20261201232000AccountFreezes } from './20261201232000-account-freezes.ts';
import { Migration20261201232001MovementRefusals } from './20261201232001-movement-refusals.ts';
import { Migration20261201232500RiskRules } from './20261201232500-risk-rules.ts';

/** Every migration in order. An explicit list: no file globbing, so the same list runs from src/ and dist/. */
export const migrationsList: MigrationObject[] = [
  { name: '20261125000000-initial-schema', class: Migration20261125000000InitialSchema },
  { name: '20261125010000-idempotency-keys', class: Migration20261125010000IdempotencyKeys },
  { name: '20261125010100-outbox-sequence', class: Migration20261125010100OutboxSequence },
  { name: '20261125020000-refresh-token-families', class: Migration20261125020000RefreshTokenFamilies },
  { name: '20261125030000-payment-ledger', class: Migration20261125030000PaymentLedger },
  { name: '20261125040000-transaction-service', class: Migration20261125040000TransactionService },
  { name: '20261125040100-report-read-model-backfill', class: Migration20261125040100ReportReadModelBackfill },
  { name: '20261201191030-merchants', class: Migration20261201191030Merchants },
  { name: '20261201191219-finality-reconcile-claims-discrepancies', class: Migration20261201191219FinalityReconcileClaimsDiscrepancies },
  { name: '20261201191608-identity-lookalike-usernames', class: Migration20261201191608IdentityLookalikeUsernames },
  { name: '20261201193358-reconciliation', class: Migration20261201193358Reconciliation },
  { name: '20261201194144-merchant-payouts', class: Migration20261201194144MerchantPayouts },
  { name: '20261201200811-audit-trail', class: Migration20261201200811AuditTrail },
  { name: '20261201202500-topology-outbox-relay-lease', class: Migration20261201202500TopologyOutboxRelayLease },
  { name: '20261201202849-kyc-tiers', class: Migration20261201202849KycTiers },
  { name: '20261201202900-topology-funding-opening', class: Migration20261201202900TopologyFundingOpening },
  { name: '20261201230857-payout-checks', class: Migration20261201230857PayoutChecks },
  { name: '20261201232000-account-freezes', class: Migration20261201232000AccountFreezes },
  { name: '20261201232001-movement-refusals', class: Migration20261201232001MovementRefusals },
  { name: '20261201232500-risk-rules', class: Migration20261201232500RiskRules },
];
