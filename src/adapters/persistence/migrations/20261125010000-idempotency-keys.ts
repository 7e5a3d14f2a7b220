import { Migration } from '@mikro-orm/migrations';

/**
 * idempotency_keys: the first response to a money-moving POST, per (user, route, Idempotency-Key),
 * so that a retry replays it instead of moving money again. The row is claimed (IN_FLIGHT, with an
 * owner token and a lease) before the work starts, and completed in the same transaction as the
 * effect; a completion whose claim was lost fails and rolls the effect back. Kept 24 h at least
 * (expires_at), purged afterwards.
 */
export class Migration20261125010000IdempotencyKeys extends Migration {
  override name = '20261125010000-idempotency-keys';

  override up(): void {
    this.addSql(`create type idempotency_status as enum ('IN_FLIGHT', 'DONE');`);
    this.addSql(`create table idempotency_keys (
      user_id integer not null,
      route varchar(100) not null,
      idempotency_key varchar(255) not null,
      request_hash char(64) not null,
      status idempotency_status not null default 'IN_FLIGHT',
      owner uuid not null,
      locked_until timestamptz not null,
      response_status integer,
      response_body jsonb,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      primary key (user_id, route, idempotency_key)
    );`);
    this.addSql(`create index idempotency_keys_expires_idx on idempotency_keys (expires_at);`);
  }
}
