import { Migration } from '@mikro-orm/migrations';

/**
 * Merchant payouts, and why:
 * - PAYOUT_SETTLEMENT: a payout first moves the merchant's money there (in flight to the bank);
 *   a bank FAILED moves it back once. Success leaves it there: it is what we owe the
 *   disbursement provider, which settles with the bank outside this ledger.
 * - merchant_payouts: one row per payout reference (the provider's idempotency key). The status
 *   moves PENDING → SUCCESS | FAILED by one conditional UPDATE, the exactly-once gate of the
 *   return; the bank account is copied so the payout shows where the money went even if the
 *   merchant changes it later.
 * - merchants.payout_reserve: a rolling reserve payouts leave in the merchant's account, so that
 *   refunds after a payout are still covered (the payout's ledger leg may not go below it).
 */
export class Migration20261201194144MerchantPayouts extends Migration {
  override name = '20261201194144-merchant-payouts';

  override up(): void {
    this.addSql(`insert into accounts (user_id, system_code, balance) values (null, 'PAYOUT_SETTLEMENT', 0.00);`);
    this.addSql(`create table merchant_payouts (
      reference varchar(50) primary key,
      merchant_id uuid not null references merchants(id),
      amount numeric(15,2) not null check (amount > 0),
      status varchar(10) not null default 'PENDING' check (status in ('PENDING', 'SUCCESS', 'FAILED')),
      bank_code varchar(20) not null,
      bank_account_number varchar(34) not null,
      bank_account_holder varchar(255) not null,
      provider_reference varchar(100),
      failure_reason text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );`);
    this.addSql(`alter table merchants add column payout_reserve numeric(15,2) not null default 0.00 check (payout_reserve >= 0);`);
    this.addSql(`create index merchant_payouts_merchant_idx on merchant_payouts (merchant_id, created_at);`);
    this.addSql(`create index merchant_payouts_pending_idx on merchant_payouts (created_at) where status = 'PENDING';`);
  }
}
