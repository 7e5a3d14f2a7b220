import { Migration } from '@mikro-orm/migrations';

/**
 * The transaction service's tables and the regulator API's key model.
 * - external_services: default_permissions / default_rate_limits, what a newly issued key of the
 *   service gets unless the operator overrides them (the seed gives Bank Indonesia and OJK theirs).
 * - api_keys: a key is stored only as a SHA-256 hash (keys are 256-bit random, so a fast hash is
 *   enough) plus a short public prefix to find it; several rate-limit windows per key (rate_limits,
 *   e.g. {"minute":100,"hour":1000,"day":10000}); an optional IP allow-list; revoked_at; rotated_from.
 *   The unique constraint on external_service_id goes: rotation keeps the old key working for an
 *   overlap, so a service holds several keys. The old rate_limit_count/unit columns stay (unused).
 * - api_access_logs: external_service_id and api_key_id become nullable, because every regulator
 *   request is audited, including those refused with a missing or unknown key (no service or key
 *   to point at). error_code and request_id say why a request was refused and tie it to the logs.
 * - processed_messages: event ids a consumer has applied, so a redelivered event changes nothing.
 * - transaction_report_rows / transaction_daily_aggregates: the reports' read model, kept by the
 *   transaction-events consumer (per transaction what it last counted, and the per-day sums).
 * - Seed: Bank Indonesia and OJK as external services, WITHOUT keys: keys come from the admin CLI.
 */
export class Migration20261125040000TransactionService extends Migration {
  override name = '20261125040000-transaction-service';

  override up(): void {
    this.addSql(`alter table external_services
      add column default_permissions api_permission[] not null default '{}',
      add column default_rate_limits jsonb not null default '{}' check (jsonb_typeof(default_rate_limits) = 'object');`);

    this.addSql(`alter table api_keys drop constraint if exists api_keys_external_service_id_key;`);
    this.addSql(`alter table api_keys
      add column key_prefix varchar(32),
      add column key_hash char(64),
      add column rate_limits jsonb not null default '{}' check (jsonb_typeof(rate_limits) = 'object'),
      add column allowed_ips text[],
      add column revoked_at timestamptz,
      add column rotated_from uuid references api_keys(id),
      add column last_used_at timestamptz;`);
    this.addSql(`create unique index api_keys_key_prefix_unique on api_keys (key_prefix);`);
    this.addSql(`create index api_keys_service_idx on api_keys (external_service_id);`);

    this.addSql(`alter table api_access_logs
      alter column external_service_id drop not null,
      alter column api_key_id drop not null,
      add column error_code varchar(64),
      add column request_id varchar(128);`);
    this.addSql(`create index api_access_logs_created_idx on api_access_logs (created_at desc);`);

    this.addSql(`create table processed_messages (
      consumer varchar(100) not null,
      event_id varchar(100) not null,
      event_type varchar(100),
      processed_at timestamptz not null default now(),
      primary key (consumer, event_id)
    );`);

    this.addSql(`create table transaction_report_rows (
      transaction_id varchar(50) primary key,
      day date not null,
      transaction_type transaction_type not null,
      transaction_status transaction_status not null,
      payment_method varchar(20) not null,
      is_accessible_external boolean not null,
      amount numeric(15,2) not null,
      updated_at timestamptz not null default now()
    );`);
    // payment_method is '' for rows without one, so that it can be part of the primary key.
    this.addSql(`create table transaction_daily_aggregates (
      day date not null,
      transaction_type transaction_type not null,
      transaction_status transaction_status not null,
      payment_method varchar(20) not null,
      is_accessible_external boolean not null,
      tx_count bigint not null default 0,
      amount numeric(20,2) not null default 0,
      primary key (day, transaction_type, transaction_status, payment_method, is_accessible_external)
    );`);

    this.addSql(`insert into external_services (company, service_type, contact_email, description, default_permissions, default_rate_limits) values
      ('Bank Indonesia', 'REGULATOR', 'regulator-api@bi.go.id', 'Bank Indonesia: payment system supervision',
        '{READ_TRANSACTIONS}', '{"minute":100,"hour":1000,"day":10000}'),
      ('OJK', 'REGULATOR', 'regulator-api@ojk.go.id', 'Otoritas Jasa Keuangan: financial services supervision',
        '{READ_TRANSACTIONS,READ_REPORTS}', '{"minute":200,"hour":2000,"day":20000}')
      on conflict (company) do nothing;`);
  }
}
