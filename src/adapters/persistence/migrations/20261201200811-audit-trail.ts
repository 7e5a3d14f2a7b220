import { Migration } from '@mikro-orm/migrations';

/**
 * The audit trail (docs/SECURITY.md "Audit trail"):
 * - audit_events: append-only, one chain ordered by seq (gapless, assigned under the chain head's
 *   row lock); each row's hash covers its content and the previous row's hash.
 * - audit_chain_head: one row, the last seq and hash; appends lock it FOR UPDATE, which serialises
 *   writers from every replica and the CLI, and it tells verify where the chain should end.
 * - audit_checkpoints: the head signed (Ed25519) with a key the database does not hold.
 * - Append-only, twice: UPDATE, DELETE and TRUNCATE are revoked from PUBLIC, from the owner running
 *   the migrations and from onegate_app (the role the services' login should be a member of, with
 *   every other table's ordinary privileges); and triggers refuse them for everyone, superusers
 *   included, unless one deliberately drops or disables the trigger (which a DBA can, and which
 *   verify then catches through the hashes).
 * - READ_AUDIT joins the API keys' permission type (the domain's PERMISSIONS list).
 */
export class Migration20261201200811AuditTrail extends Migration {
  override name = '20261201200811-audit-trail';

  override up(): void {
    this.addSql(`create table audit_chain_head (
      id smallint primary key check (id = 1),
      seq bigint not null,
      hash char(64) not null
    );`);
    this.addSql(`insert into audit_chain_head (id, seq, hash) values (1, 0, repeat('0', 64));`);
    this.addSql(`create table audit_events (
      seq bigint primary key,
      id uuid not null unique,
      occurred_at timestamptz not null,
      category varchar(20) not null,
      action varchar(100) not null,
      actor_type varchar(20) not null,
      actor_id varchar(255) not null,
      object_type varchar(64) not null,
      object_id varchar(255),
      before jsonb,
      after jsonb,
      details jsonb,
      source_ip varchar(64),
      user_agent varchar(512),
      request_id varchar(128),
      prev_hash char(64) not null,
      hash char(64) not null
    );`);
    this.addSql(`create index audit_events_occurred_idx on audit_events (occurred_at);`);
    this.addSql(`create index audit_events_category_idx on audit_events (category, seq);`);
    this.addSql(`create index audit_events_action_idx on audit_events (action, seq);`);
    this.addSql(`create index audit_events_object_idx on audit_events (object_type, object_id);`);
    this.addSql(`create table audit_checkpoints (
      seq bigint primary key,
      hash char(64) not null,
      signed_at timestamptz not null,
      key_id varchar(64) not null,
      signature text not null
    );`);

    this.addSql(`create function audit_append_only() returns trigger language plpgsql as $$
      begin
        raise exception 'the audit trail is append-only: % on % refused', tg_op, tg_table_name using errcode = 'insufficient_privilege';
      end $$;`);
    for (const table of ['audit_events', 'audit_checkpoints']) {
      this.addSql(`create trigger ${table}_append_only before update or delete on ${table} for each row execute function audit_append_only();`);
      this.addSql(`create trigger ${table}_no_truncate before truncate on ${table} for each statement execute function audit_append_only();`);
    }

    // Roles are cluster-wide: another database of the cluster may have created it already.
    this.addSql(`do $$ begin create role onegate_app nologin; exception when duplicate_object or unique_violation then null; end $$;`);
    this.addSql(`grant usage on schema public to onegate_app;`);
    this.addSql(`grant select, insert, update, delete on all tables in schema public to onegate_app;`);
    this.addSql(`grant usage, select on all sequences in schema public to onegate_app;`);
    this.addSql(`alter default privileges in schema public grant select, insert, update, delete on tables to onegate_app;`);
    this.addSql(`alter default privileges in schema public grant usage, select on sequences to onegate_app;`);
    this.addSql(`revoke update, delete, truncate on audit_events, audit_checkpoints from public, onegate_app;`);
    this.addSql(`do $$ begin execute format('revoke update, delete, truncate on audit_events, audit_checkpoints from %I', current_user); end $$;`);

    this.addSql(`alter type api_permission add value if not exists 'READ_AUDIT';`);
  }
}
