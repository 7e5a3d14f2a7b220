import { Migration } from '@mikro-orm/migrations';

/**
 * The fraud rules (src/domain/risk/risk-rules.ts), and why:
 * - RISK_HOLD: a system account holding the money of movements held for review (the payer's debit
 *   goes there, so it cannot be spent twice and the recipient has nothing yet);
 * - risk_rules: one row per rule, its thresholds (jsonb; amounts in minor units as text), enabled
 *   flag and outcome; operators change them with `risk rules set`, every evaluation reads them.
 *   Seeded disabled with the documented defaults: an issuer turns each on once it has chosen its
 *   thresholds (a rule switched on by a deploy would hold customers' money unannounced);
 * - risk_evaluations: every evaluation that was not ALLOW, with the rules that fired and their
 *   figures (ids and numbers only); queryable by rule for the regulator's report;
 * - risk_cases: one per held movement; PENDING → APPROVED | REJECTED once (the held row's
 *   conditional update is the gate, this row follows in the same transaction); `onward` keeps the
 *   legs approval posts from RISK_HOLD.
 */
export class Migration20261201232500RiskRules extends Migration {
  override name = '20261201232500-risk-rules';

  override up(): void {
    this.addSql(`insert into accounts (user_id, system_code, balance) values (null, 'RISK_HOLD', 0.00);`);
    this.addSql(`create table risk_rules (
      code varchar(30) primary key check (code in ('VELOCITY', 'NEW_COUNTERPARTY', 'MULE_INBOUND', 'EWALLET_OTHER_PHONE')),
      enabled boolean not null default false,
      outcome varchar(6) not null check (outcome in ('REVIEW', 'BLOCK')),
      params jsonb not null,
      updated_by varchar(255),
      updated_at timestamptz not null default now()
    );`);
    this.addSql(`insert into risk_rules (code, outcome, params) values
      ('VELOCITY', 'REVIEW', '{"windowSeconds": 3600, "maxCount": 20, "maxAmount": "2000000000"}'),
      ('NEW_COUNTERPARTY', 'REVIEW', '{"minAmount": "1000000000"}'),
      ('MULE_INBOUND', 'REVIEW', '{"windowSeconds": 3600, "maxDistinctSenders": 10}'),
      ('EWALLET_OTHER_PHONE', 'BLOCK', '{"minAmount": "500000000"}');`);
    this.addSql(`create table risk_evaluations (
      id uuid primary key,
      kind varchar(10) not null check (kind in ('TRANSFER', 'PAYMENT', 'TOPUP')),
      payer_account_id uuid not null references accounts(id),
      counterparty_account_id uuid references accounts(id),
      amount numeric(15,2) not null check (amount > 0),
      outcome varchar(6) not null check (outcome in ('REVIEW', 'BLOCK')),
      rules varchar(30)[] not null,
      hits jsonb not null,
      transaction_id varchar(50),
      created_at timestamptz not null default now()
    );`);
    this.addSql(`create index risk_evaluations_created_idx on risk_evaluations (created_at);`);
    this.addSql(`create index risk_evaluations_rules_idx on risk_evaluations using gin (rules);`);
    this.addSql(`create table risk_cases (
      id uuid primary key,
      evaluation_id uuid not null references risk_evaluations(id),
      transaction_id varchar(50) not null unique,
      kind varchar(10) not null,
      payer_account_id uuid not null references accounts(id),
      counterparty_account_id uuid references accounts(id),
      amount numeric(15,2) not null check (amount > 0),
      status varchar(8) not null default 'PENDING' check (status in ('PENDING', 'APPROVED', 'REJECTED')),
      onward jsonb not null,
      decided_by varchar(255),
      decided_at timestamptz,
      created_at timestamptz not null default now()
    );`);
    this.addSql(`create index risk_cases_pending_idx on risk_cases (created_at) where status = 'PENDING';`);
  }

  override down(): void {
    this.addSql(`drop table risk_cases;`);
    this.addSql(`drop table risk_evaluations;`);
    this.addSql(`drop table risk_rules;`);
    this.addSql(`delete from accounts where system_code = 'RISK_HOLD';`);
  }
}
