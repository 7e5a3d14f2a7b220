import { Migration } from '@mikro-orm/migrations';

/**
 * Merchants as first-class ledger owners, and why:
 * - `merchants`: the code is the `merchant_id` clients already send; category decides the MDR;
 *   fee_bps overrides the category's rate; the settlement bank account is all three columns or
 *   none. Status reuses account_status (ACTIVE | SUSPENDED | CLOSED): the merchant's account
 *   carries the same status, so the ledger's conditional credit refuses a suspended merchant
 *   under the row lock, not only in the handler.
 * - accounts gets a third owner kind, merchant_id: exactly one of user_id, system_code and
 *   merchant_id is set.
 * - FEE_REVENUE: the platform's MDR income (the third leg of a payment).
 * - The carve-out: every merchant_id already paid becomes an ACTIVE REGULAR merchant (fee 0 for
 *   the past: its old payments keep their full amount) whose account receives what it is owed —
 *   its SUCCESS payments less their SUCCESS refunds — out of MERCHANT_SETTLEMENT, by one balanced
 *   movement per merchant with journal entries that chain from the settlement's balance. The sum
 *   over all accounts is unchanged and the customers' history is untouched, so it reads as before.
 */
export class Migration20261201191030Merchants extends Migration {
  override name = '20261201191030-merchants';

  override up(): void {
    this.addSql(`create table merchants (
      id uuid primary key default gen_random_uuid(),
      code varchar(64) not null unique check (code ~ '^[A-Za-z0-9_.:-]+$'),
      name varchar(255) not null,
      category varchar(20) not null check (category in ('REGULAR', 'MICRO', 'FUEL', 'PUBLIC_SERVICE', 'EDUCATION', 'GOVERNMENT', 'DONATION')),
      status account_status not null default 'ACTIVE',
      bank_code varchar(20),
      bank_account_number varchar(34),
      bank_account_holder varchar(255),
      fee_bps integer check (fee_bps between 0 and 10000),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      constraint merchants_bank_account_check check (num_nulls(bank_code, bank_account_number, bank_account_holder) in (0, 3))
    );`);
    this.addSql(`alter table accounts add column merchant_id uuid unique references merchants(id);`);
    this.addSql(`alter table accounts drop constraint accounts_owner_check;`);
    this.addSql(`alter table accounts add constraint accounts_owner_check check (num_nonnulls(user_id, system_code, merchant_id) = 1);`);
    this.addSql(`insert into accounts (user_id, system_code, balance) values (null, 'FEE_REVENUE', 0.00);`);

    // ---- the carve-out of MERCHANT_SETTLEMENT ----
    this.addSql(`create function pg_temp.try_jsonb(t text) returns jsonb language plpgsql immutable as $$
      begin return t::jsonb; exception when others then return null; end $$;`);
    this.addSql(`create temp table merchant_carve on commit drop as
      with payments as (
        select p.transaction_id, p.transaction_status, p.amount, pg_temp.try_jsonb(p.metadata) ->> 'merchant_id' as code
          from historical_transactions p where p.transaction_type = 'PAYMENT'
      ), owed as (
        select code,
               coalesce(sum(amount) filter (where transaction_status = 'SUCCESS'), 0)
               - coalesce((select sum(r.amount) from historical_transactions r join payments q on q.transaction_id = r.related_transaction_id
                            where q.code = payments.code and r.transaction_type = 'REFUND' and r.transaction_status = 'SUCCESS'), 0) as amount
          from payments where code is not null group by code
      )
      select gen_random_uuid() as merchant_id, gen_random_uuid() as account_id, gen_random_uuid() as movement_id, code, amount,
             coalesce(sum(amount) over (order by code rows between unbounded preceding and 1 preceding), 0) as carved_before
        from owed;`);
    this.addSql(`insert into merchants (id, code, name, category, status) select merchant_id, code, code, 'REGULAR', 'ACTIVE' from merchant_carve;`);
    this.addSql(`insert into accounts (id, merchant_id, balance) select account_id, merchant_id, amount from merchant_carve;`);
    this.addSql(`insert into ledger_entries (movement_id, account_id, transaction_id, amount, balance_before, balance_after)
      select c.movement_id, s.id, 'OPENING-' || c.merchant_id, -c.amount, s.balance - c.carved_before, s.balance - c.carved_before - c.amount
        from merchant_carve c cross join accounts s where s.system_code = 'MERCHANT_SETTLEMENT' and c.amount > 0
      union all
      select c.movement_id, c.account_id, 'OPENING-' || c.merchant_id, c.amount, 0, c.amount from merchant_carve c where c.amount > 0;`);
    // The CHECK (balance >= 0) refuses a carve-out larger than the settlement account holds.
    this.addSql(
      `update accounts set balance = balance - (select coalesce(sum(amount), 0) from merchant_carve), updated_at = now() where system_code = 'MERCHANT_SETTLEMENT';`,
    );
  }
}
