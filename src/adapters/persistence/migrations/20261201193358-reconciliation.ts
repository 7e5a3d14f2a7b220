import { Migration } from '@mikro-orm/migrations';

/**
 * Daily reconciliation with the providers' statements (issue 17):
 * - reconciliation_runs: one per run (a provider, a statement day), with its counts.
 * - reconciliation_cases: one per discrepancy (provider, our reference, kind), opened by the first
 *   run that finds it and resolved once by an operator (unique key + a conditional update make the
 *   resolution exactly-once; a later run finding the same discrepancy links to the same case).
 * - reconciliation_exceptions: what each run found, each row linked to its case.
 * - reconciliation_daily_claims: the scheduled job's leader election, one claimed row per provider
 *   and day (a lease, so a replica that died mid-run is replaced).
 * Nothing here changes a balance: resolutions go through the ledger and name their movement.
 */
export class Migration20261201193358Reconciliation extends Migration {
  override name = '20261201193358-reconciliation';

  override up(): void {
    this.addSql(`create table reconciliation_runs (
      id bigserial primary key,
      provider payment_method not null,
      statement_date date not null,
      triggered_by varchar(100) not null,
      started_at timestamptz not null,
      finished_at timestamptz not null default now(),
      statement_sha256 char(64) not null,
      statement_lines integer not null,
      our_topups integer not null,
      matched integer not null,
      missing_ours integer not null,
      missing_provider integer not null,
      amount_mismatch integer not null,
      status_mismatch integer not null
    );`);
    this.addSql(`create index reconciliation_runs_day on reconciliation_runs (provider, statement_date, id);`);
    this.addSql(`create table reconciliation_cases (
      id bigserial primary key,
      provider payment_method not null,
      statement_date date not null,
      kind varchar(20) not null check (kind in ('MISSING_OURS', 'MISSING_PROVIDER', 'AMOUNT_MISMATCH', 'STATUS_MISMATCH')),
      transaction_id varchar(64) not null,
      provider_reference varchar(100),
      our_amount numeric(15,2),
      provider_amount numeric(15,2),
      our_status transaction_status,
      provider_status varchar(10) check (provider_status in ('SUCCESS', 'PENDING', 'FAILED')),
      opened_by_run bigint not null references reconciliation_runs(id),
      opened_at timestamptz not null default now(),
      case_status varchar(10) not null default 'OPEN' check (case_status in ('OPEN', 'RESOLVED')),
      resolution varchar(20) check (resolution in ('refund', 'write-off', 'settle', 'no-action')),
      resolution_note text,
      resolved_by varchar(100),
      resolved_at timestamptz,
      resolution_movement_id uuid,
      resolution_transaction_id varchar(50),
      unique (provider, transaction_id, kind),
      check ((case_status = 'OPEN') = (resolved_at is null))
    );`);
    this.addSql(`create index reconciliation_cases_open on reconciliation_cases (provider, statement_date) where case_status = 'OPEN';`);
    this.addSql(`create table reconciliation_exceptions (
      id bigserial primary key,
      run_id bigint not null references reconciliation_runs(id),
      case_id bigint not null references reconciliation_cases(id),
      kind varchar(20) not null,
      transaction_id varchar(64) not null,
      provider_reference varchar(100),
      our_amount numeric(15,2),
      provider_amount numeric(15,2),
      our_status transaction_status,
      provider_status varchar(10)
    );`);
    this.addSql(`create index reconciliation_exceptions_run on reconciliation_exceptions (run_id);`);
    this.addSql(`create table reconciliation_daily_claims (
      provider payment_method not null,
      statement_date date not null,
      claimed_by varchar(200) not null,
      claimed_until timestamptz not null,
      run_id bigint references reconciliation_runs(id),
      primary key (provider, statement_date)
    );`);
  }
}
