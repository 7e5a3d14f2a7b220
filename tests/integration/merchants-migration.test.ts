import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrm, type Orm } from '../../src/adapters/persistence/orm.ts';
import pg from 'pg';
import { requireEnv, uniq } from '../support/services.ts';

// The carve-out of MERCHANT_SETTLEMENT into one account per merchant already paid, on a database
// of its own migrated up to just before the merchants migration, with history written the old way.
let admin: pg.Client;
let name: string;
let orm: Orm;
beforeAll(async () => {
  const adminUrl = requireEnv('TEST_POSTGRES_ADMIN_URL');
  name = uniq('onegate_mig_').toLowerCase();
  admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  orm = await createOrm({ url: url.toString(), poolMax: 2 });
  await orm.migrator.up({ to: '20261125040100-report-read-model-backfill' });
});
afterAll(async () => {
  await orm?.close(true);
  await admin?.query(`drop database if exists ${name} with (force)`);
  await admin?.end();
});

const sql = async <T>(q: string, p: unknown[] = []) => (await orm.em.getConnection().execute(q, p)) as T[];

/** A payment as the ledger wrote it before merchants: customer → MERCHANT_SETTLEMENT, merchant_id in the metadata. */
async function oldPayment(userId: number, accountId: string, txId: string, merchant: string, amount: string) {
  await sql(
    `insert into historical_transactions (user_id, account_id, transaction_id, transaction_type, transaction_status, amount, balance_before, balance_after, metadata) values (?, ?, ?, 'PAYMENT', 'SUCCESS', ?, 0, 0, ?)`,
    [userId, accountId, txId, amount, JSON.stringify({ merchant_id: merchant })],
  );
  await sql(`update accounts set balance = balance + ?::numeric where system_code = 'MERCHANT_SETTLEMENT'`, [amount]);
  await sql(`update accounts set balance = balance - ?::numeric where system_code = 'FUNDING'`, [amount]);
}

describe('the merchants migration', () => {
  it('gives every merchant already paid an account holding what it is owed, carved out of MERCHANT_SETTLEMENT by balanced movements', async () => {
    const [u] = await sql<{ id: number }>(
      `insert into users (username, email, phone, password) values ('old', 'old@example.com', '+6281211110000', 'x') returning id`,
    );
    const [a] = await sql<{ id: string }>(`insert into accounts (user_id) values (?) returning id`, [u!.id]);
    await oldPayment(u!.id, a!.id, 'PAY-OLD-1', 'WARUNG-1', '1000.00');
    await oldPayment(u!.id, a!.id, 'PAY-OLD-2', 'WARUNG-1', '500.50');
    await oldPayment(u!.id, a!.id, 'PAY-OLD-3', 'TOKO-2', '300.00');
    // A refund of 200.00 of PAY-OLD-3, and some junk metadata the migration must survive.
    await sql(
      `insert into historical_transactions (user_id, account_id, transaction_id, transaction_type, transaction_status, amount, balance_before, balance_after, related_transaction_id, metadata) values (?, ?, 'RFD-OLD-1', 'REFUND', 'SUCCESS', 200, 0, 0, 'PAY-OLD-3', '{"refund_of":"PAY-OLD-3"}')`,
      [u!.id, a!.id],
    );
    await sql(`update accounts set balance = balance - 200 where system_code = 'MERCHANT_SETTLEMENT'`);
    await sql(`update accounts set balance = balance + 200 where system_code = 'FUNDING'`);
    await sql(
      `insert into historical_transactions (user_id, account_id, transaction_id, transaction_type, transaction_status, amount, balance_before, balance_after, metadata) values (?, ?, 'TRF-OLD-1', 'TRANSFER', 'SUCCESS', 1, 0, 0, 'not json')`,
      [u!.id, a!.id],
    );
    const [before] = await sql<{ total: string }>(`select sum(balance)::text as total from accounts`);
    const history = await sql(`select * from historical_transactions order by transaction_id`);

    // Up to the merchants migration only: later ones (FUNDING's opening movement) change the sums on purpose.
    await orm.migrator.up({ to: '20261201191030-merchants' });

    const merchants = await sql<{ code: string; name: string; category: string; status: string; fee_bps: number | null; balance: string }>(
      `select m.code, m.name, m.category, m.status::text as status, m.fee_bps, a.balance::text as balance from merchants m join accounts a on a.merchant_id = m.id order by m.code`,
    );
    expect(merchants).toEqual([
      { code: 'TOKO-2', name: 'TOKO-2', category: 'REGULAR', status: 'ACTIVE', fee_bps: null, balance: '100.00' },
      { code: 'WARUNG-1', name: 'WARUNG-1', category: 'REGULAR', status: 'ACTIVE', fee_bps: null, balance: '1500.50' },
    ]);
    const [settlement] = await sql<{ balance: string }>(`select balance::text as balance from accounts where system_code = 'MERCHANT_SETTLEMENT'`);
    expect(settlement!.balance).toBe('0.00');
    const [after] = await sql<{ total: string }>(`select sum(balance)::text as total from accounts`);
    expect(after!.total).toBe(before!.total);
    // Balanced movements whose settlement entries chain from its balance, each with its own transaction id.
    expect(await sql(`select movement_id from ledger_entries group by movement_id having sum(amount) <> 0`)).toEqual([]);
    const chain = await sql<{ before: string; after: string }>(
      `select e.balance_before::text as before, e.balance_after::text as after from ledger_entries e join accounts a on a.id = e.account_id where a.system_code = 'MERCHANT_SETTLEMENT' order by e.id`,
    );
    expect(chain.map((c) => [c.before, c.after])).toEqual([
      ['1600.50', '1500.50'],
      ['1500.50', '0.00'],
    ]);
    const [ids] = await sql<{ n: number; t: number }>(
      `select count(distinct movement_id)::int as n, count(distinct transaction_id)::int as t from ledger_entries`,
    );
    expect(ids).toEqual({ n: 2, t: 2 });
    // The customers' history is untouched.
    expect(await sql(`select * from historical_transactions order by transaction_id`)).toEqual(history);
  });
});
