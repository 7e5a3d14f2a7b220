import { Migration } from '@mikro-orm/migrations';

/**
 * Movements refused by a rule the regulator counts (Bank Indonesia's limits, freezes, fraud
 * rules): written by the refusal log (application/ports/refusal-log.ts) on its own connection,
 * after the movement's transaction rolled back, and counted by rule in the regulator report.
 * No personal data: the account id, the rule, the code, the amount and the time.
 */
export class Migration20261201232001MovementRefusals extends Migration {
  override name = '20261201232001-movement-refusals';

  override async up(): Promise<void> {
    this.addSql(`create table movement_refusals (
      id bigserial primary key,
      rule varchar(100) not null,
      code varchar(64) not null,
      account_id uuid null references accounts(id),
      amount numeric(15,2) null check (amount > 0),
      refused_at timestamptz not null default now()
    );`);
    this.addSql(`create index movement_refusals_refused_at on movement_refusals (refused_at);`);
  }
}
