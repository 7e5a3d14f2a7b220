import { Migration } from '@mikro-orm/migrations';

/**
 * refresh_token_families: one row per login session. Refresh tokens are opaque random strings;
 * only their SHA-256 hashes are stored. A family holds the current token's hash and every hash it
 * already rotated away (used_token_hashes): presenting one of those is token theft, and the whole
 * family is revoked. PostgreSQL is the truth for refresh tokens, so a Redis restart or eviction
 * never logs anyone out nor revives a revoked session. access_jti is the latest access token issued
 * from the family, so that logout with only an access token (and revocation on reuse) can find it.
 *
 * Also: usernames become unique case-insensitively (lower(username)), like emails already are,
 * so "Alice" and "alice" cannot be two different people.
 */
export class Migration20261125020000RefreshTokenFamilies extends Migration {
  override name = '20261125020000-refresh-token-families';

  override up(): void {
    this.addSql(`create table refresh_token_families (
      id uuid primary key,
      user_id integer not null references users(id) on delete cascade,
      current_token_hash char(64) not null,
      used_token_hashes text[] not null default '{}',
      access_jti varchar(64),
      created_at timestamptz not null default now(),
      rotated_at timestamptz,
      expires_at timestamptz not null,
      revoked_at timestamptz,
      revoked_reason varchar(50)
    );`);
    this.addSql(`create unique index refresh_token_families_current_hash_unique on refresh_token_families (current_token_hash);`);
    this.addSql(`create index refresh_token_families_used_hashes_idx on refresh_token_families using gin (used_token_hashes);`);
    this.addSql(`create index refresh_token_families_user_idx on refresh_token_families (user_id, expires_at);`);
    this.addSql(`create index refresh_token_families_access_jti_idx on refresh_token_families (access_jti) where access_jti is not null;`);
    this.addSql(`create unique index users_username_lower_unique on users (lower(username));`);
  }
}
