import { Migration } from '@mikro-orm/migrations';

/**
 * The payment ledger's own structures, and why:
 * - System accounts. The bank's side of every movement is an explicit account, so the sum of all
 *   balances never changes and every movement balances: FUNDING (operators credit customers from
 *   it; it starts with the bank's float, 9,000,000,000,000.00), GOPAY_SETTLEMENT and
 *   SHOPEE_PAY_SETTLEMENT (what we owe each provider for the top-ups it credited to e-wallets),
 *   MERCHANT_SETTLEMENT (what customers paid merchants, and where refunds come from).
 *   They are rows of `accounts` with `user_id` NULL and a unique `system_code`, rather than fake
 *   users: a system account must never be able to log in or appear as a person, and the check
 *   constraint keeps exactly one of the two set.
 * - ledger_entries: the append-only double-entry journal. One entry per account side of a movement
 *   (customers and system accounts alike), signed amounts, balance before/after; the entries of a
 *   movement sum to zero. historical_transactions stays the customers' view (one row per customer
 *   side), so regulators and users never see the bank's internal accounts.
 * - historical_transactions.related_transaction_id: links a refund to the payment or top-up it
 *   gives back, and the two sides of a transfer; the refund total per payment is summed over it.
 * - A partial index on PENDING top-ups, for the reconciler's poll.
 */
export class Migration20261125030000PaymentLedger extends Migration {
  override name = '20261125030000-payment-ledger';

  override up(): void {
    this.addSql(`alter table accounts alter column user_id drop not null;`);
    this.addSql(`alter table accounts add column system_code varchar(50) unique;`);
    this.addSql(`alter table accounts add constraint accounts_owner_check check ((user_id is null) <> (system_code is null));`);
    this.addSql(`insert into accounts (user_id, system_code, balance) values
      (null, 'FUNDING', 9000000000000.00),
      (null, 'GOPAY_SETTLEMENT', 0.00),
      (null, 'SHOPEE_PAY_SETTLEMENT', 0.00),
      (null, 'MERCHANT_SETTLEMENT', 0.00);`);

    this.addSql(`alter table historical_transactions add column related_transaction_id varchar(50);`);
    this.addSql(
      `create index historical_transactions_related_idx on historical_transactions (related_transaction_id) where related_transaction_id is not null;`,
    );
    this.addSql(
      `create index historical_transactions_pending_topup_idx on historical_transactions (created_at) where transaction_status = 'PENDING' and transaction_type = 'TOPUP';`,
    );

    this.addSql(`create table ledger_entries (
      id bigserial primary key,
      movement_id uuid not null,
      account_id uuid not null references accounts(id),
      transaction_id varchar(50) not null,
      amount numeric(16,2) not null check (amount <> 0),
      balance_before numeric(15,2) not null,
      balance_after numeric(15,2) not null check (balance_after = balance_before + amount),
      created_at timestamptz not null default now()
    );`);
    this.addSql(`create index ledger_entries_account_idx on ledger_entries (account_id, id);`);
    this.addSql(`create index ledger_entries_movement_idx on ledger_entries (movement_id);`);
  }
}
