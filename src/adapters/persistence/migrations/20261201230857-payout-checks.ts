import { Migration } from '@mikro-orm/migrations';

/**
 * The payout checker's shared state, on the payout row itself (a payout is PENDING only while it
 * is unknown, and the partial index keeps those few rows cheap to find): the claim of the one
 * replica asking the bank about it now (check_lease_token, check_lease_until), how often it was
 * asked (checks) and when it is due again (next_check_at, exponential back-off).
 */
export class Migration20261201230857PayoutChecks extends Migration {
  override name = '20261201230857-payout-checks';

  override up(): void {
    this.addSql(`alter table merchant_payouts
      add column checks integer not null default 0 check (checks >= 0),
      add column next_check_at timestamptz not null default now(),
      add column check_lease_token uuid,
      add column check_lease_until timestamptz;`);
  }
}
