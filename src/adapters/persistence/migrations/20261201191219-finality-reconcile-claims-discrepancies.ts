import { Migration } from '@mikro-orm/migrations';

/**
 * The top-up finality protocol's tables (docs/SECURITY.md, "Money across the provider boundary"):
 * - top_up_reconciliation: per PENDING top-up, the reconcilers' shared state: the claim of the one
 *   replica asking about it now (lease_token, lease_until), how often it was asked (checks) and when
 *   it is due again (next_check_at, exponential back-off). A row appears at its first claim.
 * - provider_discrepancies: the cases where a provider's definite answer contradicts a final status
 *   of ours (SUCCESS after we recorded FAILED and released the money), one per top-up and kind,
 *   settled by an operator exactly once (REDEBIT the customer or BANK_LOSS against FUNDING).
 */
export class Migration20261201191219FinalityReconcileClaimsDiscrepancies extends Migration {
  override name = '20261201191219-finality-reconcile-claims-discrepancies';

  override up(): void {
    this.addSql(`create table top_up_reconciliation (
      transaction_id varchar(50) primary key references historical_transactions(transaction_id) on delete cascade,
      checks integer not null default 0 check (checks >= 0),
      next_check_at timestamptz not null default now(),
      lease_token uuid,
      lease_until timestamptz,
      updated_at timestamptz not null default now()
    );`);
    this.addSql(`create table provider_discrepancies (
      id uuid primary key default gen_random_uuid(),
      transaction_id varchar(50) not null references historical_transactions(transaction_id),
      kind varchar(30) not null check (kind in ('SUCCESS_AFTER_FAILED')),
      payment_method payment_method not null,
      account_id uuid not null references accounts(id),
      user_id integer not null,
      amount numeric(15,2) not null check (amount > 0),
      provider_reference varchar(100),
      detected_via varchar(10) not null check (detected_via in ('webhook', 'inquiry', 'request')),
      detected_at timestamptz not null default now(),
      detections integer not null default 1,
      status varchar(10) not null default 'OPEN' check (status in ('OPEN', 'RESOLVED')),
      resolution varchar(10) check (resolution in ('REDEBIT', 'BANK_LOSS')),
      resolution_movement_id uuid,
      resolution_transaction_id varchar(50),
      resolved_by varchar(100),
      resolved_at timestamptz,
      unique (transaction_id, kind),
      check ((status = 'OPEN') = (resolution is null)),
      check ((status = 'OPEN') = (resolution_movement_id is null))
    );`);
    this.addSql(`create index provider_discrepancies_open_idx on provider_discrepancies (detected_at) where status = 'OPEN';`);
  }

  override down(): void {
    this.addSql('drop table if exists provider_discrepancies;');
    this.addSql('drop table if exists top_up_reconciliation;');
  }
}
