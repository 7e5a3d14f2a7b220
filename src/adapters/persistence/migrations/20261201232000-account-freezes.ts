import { Migration } from '@mikro-orm/migrations';
import { FREEZE_LEVELS } from '../../../domain/wallet/freeze.ts';

/**
 * Operators' freezes (issue 15; the rule is src/domain/wallet/freeze.ts). On the account row, not
 * a table of their own: the ledger decides a movement on the rows it locks, so the freeze is read
 * under the same lock as the balance (and a merchant's account, changed by one conditional
 * statement, is checked in that statement). The history of freezes is the audit trail: every
 * `accounts freeze/unfreeze` and `merchants freeze/unfreeze` records its before and after.
 * A freeze is all four columns or none.
 */
export class Migration20261201232000AccountFreezes extends Migration {
  override name = '20261201232000-account-freezes';

  override async up(): Promise<void> {
    this.addSql(`create type freeze_level as enum (${FREEZE_LEVELS.map((l) => `'${l}'`).join(', ')});`);
    this.addSql(`alter table accounts
      add column freeze_level freeze_level null,
      add column freeze_reason varchar(500) null,
      add column frozen_at timestamptz null,
      add column frozen_by varchar(255) null,
      add constraint accounts_freeze_complete check (
        (freeze_level is null and freeze_reason is null and frozen_at is null and frozen_by is null)
        or (freeze_level is not null and freeze_reason is not null and frozen_at is not null and frozen_by is not null));`);
  }
}
