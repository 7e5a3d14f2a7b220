import { Migration } from '@mikro-orm/migrations';

/**
 * The platform's data model as designed (users, authentications, accounts,
 * historical_transactions, external_services, api_keys, api_access_logs), with PostgreSQL enums.
 * Extensions to the design, and why:
 * - users.role: operators (ADMIN) and customers (USER) share one identity table; only the admin CLI grants ADMIN.
 * - users: unique index on lower(email), because emails are compared case-insensitively.
 * - accounts.balance CHECK (balance >= 0): the database itself refuses a negative balance, whatever the code does.
 * - api_access_logs.duration_ms: regulators' pulls are audited with how long they took.
 * - outbox_events: events leave through a transactional outbox written in the same transaction as the change.
 */
export class Migration20261125000000InitialSchema extends Migration {
  override name = '20261125000000-initial-schema';

  override up(): void {
    this.addSql(`create extension if not exists pgcrypto;`);
    this.addSql(`create type account_status as enum ('ACTIVE', 'SUSPENDED', 'CLOSED');`);
    this.addSql(`create type transaction_type as enum ('TOPUP', 'PAYMENT', 'REFUND', 'TRANSFER');`);
    this.addSql(`create type transaction_status as enum ('PENDING', 'SUCCESS', 'FAILED', 'CANCELLED');`);
    this.addSql(`create type payment_method as enum ('GOPAY', 'SHOPEE_PAY');`);
    this.addSql(`create type rate_limit_unit as enum ('second', 'minute', 'hour', 'day');`);
    this.addSql(`create type http_method as enum ('GET', 'POST', 'PUT', 'DELETE', 'PATCH');`);
    this.addSql(`create type api_permission as enum ('READ_TRANSACTIONS', 'READ_REPORTS');`);
    this.addSql(`create type user_role as enum ('USER', 'ADMIN');`);

    this.addSql(`create table users (
      id serial primary key,
      username varchar(255) not null unique,
      email varchar(255) not null unique,
      phone varchar(255) not null unique,
      password varchar(255) not null,
      role user_role not null default 'USER',
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );`);
    this.addSql(`create unique index users_email_lower_unique on users (lower(email));`);

    this.addSql(`create table authentications (
      token varchar(512) primary key,
      user_id integer not null references users(id) on delete cascade,
      created_at timestamptz not null default now()
    );`);
    this.addSql(`create index authentications_user_id_idx on authentications (user_id);`);

    this.addSql(`create table accounts (
      id uuid primary key default gen_random_uuid(),
      user_id bigint not null unique references users(id),
      balance numeric(15,2) not null default 0.00 check (balance >= 0),
      currency varchar(3) not null default 'IDR',
      account_status account_status not null default 'ACTIVE',
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );`);

    this.addSql(`create table historical_transactions (
      id uuid primary key default gen_random_uuid(),
      user_id integer not null references users(id),
      account_id uuid not null references accounts(id),
      transaction_id varchar(50) not null unique,
      transaction_type transaction_type not null,
      transaction_status transaction_status not null default 'PENDING',
      amount numeric(15,2) not null,
      balance_before numeric(15,2) not null,
      balance_after numeric(15,2) not null,
      currency varchar(3) not null default 'IDR',
      description text,
      external_reference varchar(255),
      payment_method payment_method,
      metadata text,
      is_accessible_external boolean not null default true,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );`);
    this.addSql(`create index historical_transactions_account_created_idx on historical_transactions (account_id, created_at desc, id desc);`);
    this.addSql(`create index historical_transactions_user_created_idx on historical_transactions (user_id, created_at desc, id desc);`);
    this.addSql(`create index historical_transactions_created_idx on historical_transactions (created_at desc, id desc);`);

    this.addSql(`create table external_services (
      id uuid primary key default gen_random_uuid(),
      company varchar(255) not null unique,
      service_type varchar(50) not null default 'HISTORICAL_TRANSACTION',
      contact_email varchar(255) not null,
      description text,
      is_active boolean not null default true,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );`);

    this.addSql(`create table api_keys (
      id uuid primary key default gen_random_uuid(),
      external_service_id uuid not null unique references external_services(id),
      key_name varchar(255) not null,
      permissions api_permission[] not null default '{}',
      rate_limit_count integer,
      rate_limit_unit rate_limit_unit not null default 'minute',
      expires_at timestamptz,
      is_active boolean not null default true,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );`);

    this.addSql(`create table api_access_logs (
      id uuid primary key default gen_random_uuid(),
      external_service_id uuid not null references external_services(id),
      api_key_id uuid not null references api_keys(id),
      endpoint varchar(255),
      http_method http_method,
      ip_address text,
      user_agent text,
      response_status integer,
      duration_ms integer,
      created_at timestamptz not null default now()
    );`);
    this.addSql(`create index api_access_logs_service_created_idx on api_access_logs (external_service_id, created_at desc);`);

    this.addSql(`create table outbox_events (
      id uuid primary key default gen_random_uuid(),
      topic varchar(255) not null,
      event_key varchar(255) not null,
      event_type varchar(100) not null,
      payload jsonb not null,
      headers jsonb not null default '{}',
      created_at timestamptz not null default now(),
      published_at timestamptz,
      attempts integer not null default 0
    );`);
    this.addSql(`create index outbox_events_unpublished_idx on outbox_events (created_at) where published_at is null;`);
  }
}
