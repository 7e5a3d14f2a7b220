-- Exactly the statements one API payment issues (src/application/payment/create-payment and
-- src/adapters/persistence/payment/postgres-ledger.repository.ts), in the same order, with
-- parameters bound like the driver binds them (pgbench -M prepared). Used by bench/run.ts.
-- The customer's row is locked first; the hot merchant settlement row is changed and journalled
-- by one statement just before commit.
\set uid random(:minid, :maxid)
\set amt random(100, 5000)
select id as acc, user_id, system_code, balance, currency, account_status, created_at, updated_at from accounts where user_id = :uid \gset
begin;
select id, user_id, system_code, balance, currency, account_status, created_at, updated_at from accounts where id = :acc for update;
update accounts set balance = balance - :amt / 100.0, updated_at = now() where id = :acc;
insert into historical_transactions (user_id, account_id, transaction_id, transaction_type, transaction_status, amount, balance_before, balance_after, currency, description, external_reference, payment_method, metadata, related_transaction_id)
  values (:uid, :acc, 'PGB-' || md5(random()::text), 'PAYMENT', 'SUCCESS', :amt / 100.0, :balance, :balance - :amt / 100.0, 'IDR', null, null, null, '{"merchant_id":"M-1"}', null) returning *;
insert into outbox_events (id, topic, event_key, event_type, payload, headers) values (gen_random_uuid(), 'pgbench-events', :acc, 'transaction.created', '{"event_id":"x","payload":{}}'::jsonb, '{}'::jsonb);
insert into ledger_entries (movement_id, account_id, transaction_id, amount, balance_before, balance_after) values (gen_random_uuid(), :acc, 'PGB', -(:amt / 100.0), :balance, :balance - :amt / 100.0);
with s as (update accounts set balance = balance + :amt / 100.0, updated_at = now() where id = :merchant and balance + :amt / 100.0 >= 0 returning balance - :amt / 100.0 as before, balance as after)
  insert into ledger_entries (movement_id, account_id, transaction_id, amount, balance_before, balance_after) select gen_random_uuid(), :merchant, 'PGB', :amt / 100.0, s.before, s.after from s returning id;
commit;
