import { Migration } from '@mikro-orm/migrations';
import { ID_TYPES, KYC_TIERS } from '../../../domain/wallet/kyc.ts';

const list = (items: readonly string[]) => items.map((i) => `'${i}'`).join(', ');

/**
 * KYC tiers (issue 15). Every account gets a tier; accounts that exist today become UNREGISTERED,
 * the state of a new registration: nobody has verified their holders' identity, so the regulation
 * treats them as unregistered until an operator runs `accounts verify`. (The bank's system and
 * merchants' accounts carry the column too but no limit applies to them; the domain decides that
 * from the owner, not the tier.)
 *
 * account_identities holds the verified document, sealed with AES-256-GCM by the application
 * (the key is configuration, never in this database); only the masked number is stored in clear,
 * for display. One row per account: verifying again is refused, not overwritten.
 */
export class Migration20261201202849KycTiers extends Migration {
  override name = '20261201202849-kyc-tiers';

  override async up(): Promise<void> {
    this.addSql(`create type kyc_tier as enum (${list(KYC_TIERS)});`);
    this.addSql(`create type id_type as enum (${list(ID_TYPES)});`);
    this.addSql(`alter table accounts add column kyc_tier kyc_tier not null default 'UNREGISTERED';`);
    this.addSql(`create table account_identities (
      account_id uuid primary key references accounts(id),
      id_type id_type not null,
      id_number_sealed text not null,
      id_number_masked varchar(32) not null,
      name_sealed text null,
      verified_by varchar(255) not null,
      verified_at timestamptz not null default now()
    );`);
  }
}
