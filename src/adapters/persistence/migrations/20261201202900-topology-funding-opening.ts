import { Migration } from '@mikro-orm/migrations';

/**
 * FUNDING's opening balance gets its journal entry. The payment-ledger migration created FUNDING
 * with the bank's float already in its balance and nothing in `ledger_entries`, so a plain sum of
 * the journal did not equal the balances. A balanced opening movement needs a counterpart: the
 * bank's capital, BANK_CAPITAL, a system account whose balance is the negative of the float it paid
 * in (an equity account: a credit balance, in this signed journal below zero — the only account
 * the CHECK lets go negative; no flow ever moves money from or to it).
 *
 * Afterwards every movement sums to zero, the sum over all accounts is zero, and for every account
 * the sum of its entries is its balance. The opening is FUNDING's balance before its first entry
 * (its balance now on a database where it never moved); its two entries take ids below every other
 * entry and FUNDING's creation time, so the journal still reads in order and chains.
 */
export class Migration20261201202900TopologyFundingOpening extends Migration {
  override name = '20261201202900-topology-funding-opening';

  override async up(): Promise<void> {
    this.addSql(`alter table accounts drop constraint accounts_balance_check;`);
    this.addSql(`alter table accounts add constraint accounts_balance_check check (balance >= 0 or coalesce(system_code = 'BANK_CAPITAL', false));`);
    this.addSql(`do $$
      declare
        funding record;
        opening numeric(15,2);
        capital uuid;
        first_id bigint;
        movement uuid := gen_random_uuid();
      begin
        select id, balance, created_at into funding from accounts where system_code = 'FUNDING';
        select coalesce((select balance_before from ledger_entries where account_id = funding.id order by id limit 1), funding.balance) into opening;
        insert into accounts (user_id, system_code, balance, created_at) values (null, 'BANK_CAPITAL', -opening, funding.created_at) returning id into capital;
        if opening <> 0 then
          select least(coalesce(min(id), 1), 1) into first_id from ledger_entries;
          insert into ledger_entries (id, movement_id, account_id, transaction_id, amount, balance_before, balance_after, created_at) values
            (first_id - 2, movement, capital, 'OPENING-FUNDING', -opening, 0, -opening, funding.created_at),
            (first_id - 1, movement, funding.id, 'OPENING-FUNDING', opening, 0, opening, funding.created_at);
        end if;
      end $$;`);
  }

  override async down(): Promise<void> {
    this.addSql(`delete from ledger_entries where transaction_id = 'OPENING-FUNDING';`);
    this.addSql(`delete from accounts where system_code = 'BANK_CAPITAL';`);
    this.addSql(`alter table accounts drop constraint accounts_balance_check;`);
    this.addSql(`alter table accounts add constraint accounts_balance_check check (balance >= 0);`);
  }
}
