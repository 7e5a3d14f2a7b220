-- The reference of issue 14: a whole three-leg payment as ONE statement, one transaction per
-- payment (autocommit): payer −amount, merchant +net, FEE_REVENUE +fee (0.7%, REGULAR, rounded
-- half up to the sen), the payer's PAYMENT history row, one journal entry per leg and the outbox
-- event, as the API writes them. The fastest one transaction per payment can be: the API is
-- measured against it. Merchants are drawn from M-:mlo … M-:mhi (hot: mlo = mhi = 1).
--   pgbench -n -M prepared -D minid=… -D maxid=… -D mlo=1 -D mhi=1000 -D feeacc=<FEE_REVENUE id> -f …
\set uid random(:minid, :maxid)
\set m random(:mlo, :mhi)
\set amt random(10000, 490000)
\set fee (:amt * 70 + 5000) / 10000
\set net :amt - :fee
with p as (
  update accounts set balance = balance - :amt / 100.0, updated_at = now()
   where user_id = :uid and account_status = 'ACTIVE' and balance >= :amt / 100.0
   returning id, user_id, balance + :amt / 100.0 as before, balance as after),
mer as (
  update accounts set balance = balance + :net / 100.0, updated_at = now()
   where id = (select a.id from accounts a join merchants x on x.id = a.merchant_id where x.code = 'M-' || :m) and exists (select 1 from p)
   returning id, balance - :net / 100.0 as before, balance as after),
f as (
  update accounts set balance = balance + :fee / 100.0, updated_at = now()
   where id = :feeacc and exists (select 1 from p)
   returning id, balance - :fee / 100.0 as before, balance as after),
h as (
  insert into historical_transactions (user_id, account_id, transaction_id, transaction_type, transaction_status, amount, balance_before, balance_after, currency, metadata)
  select p.user_id, p.id, 'PGB-' || md5(random()::text), 'PAYMENT', 'SUCCESS', :amt / 100.0, p.before, p.after, 'IDR',
         json_build_object('merchant_id', 'M-' || :m, 'gross', :amt / 100.0, 'fee', :fee / 100.0, 'net', :net / 100.0, 'fee_bps', 70)::text
    from p returning transaction_id, account_id),
j as (
  insert into ledger_entries (movement_id, account_id, transaction_id, amount, balance_before, balance_after)
  select mv.id, l.account_id, h.transaction_id, l.amount, l.before, l.after
    from (select gen_random_uuid() as id) mv, h,
         lateral (select p.id as account_id, -(:amt / 100.0) as amount, p.before, p.after from p
                  union all select mer.id, :net / 100.0, mer.before, mer.after from mer
                  union all select f.id, :fee / 100.0, f.before, f.after from f) l
  returning 1)
insert into outbox_events (id, topic, event_key, event_type, payload, headers)
select gen_random_uuid(), 'pgbench-events', h.account_id, 'transaction.created', json_build_object('transaction_id', h.transaction_id)::jsonb, '{}'::jsonb from h;
