import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrm, type Orm } from '../../src/adapters/persistence/orm.ts';
import { createIsolatedDatabase } from '../support/isolated-database.ts';
import { createCustomer } from '../support/payment-fixtures.ts';

// Issue 16: FUNDING's opening balance had no journal entry, so a plain sum of ledger_entries did not
// equal the balances. On a database of its own: every account's entries sum to its balance.
describe('FUNDING opening movement (migration)', () => {
  let db: Awaited<ReturnType<typeof createIsolatedDatabase>>;
  let orm: Orm;
  beforeAll(async () => {
    db = await createIsolatedDatabase('onegate_topo_funding');
    orm = await createOrm({ url: db.url, poolMax: 2 });
  });
  afterAll(async () => {
    await orm.close(true);
    await db.drop();
  });
  const sql = async <T>(q: string) => (await orm.em.getConnection().execute(q)) as T[];
  const journalEqualsBalances = async () =>
    sql<{ system_code: string | null; balance: string; journal: string }>(
      `select a.system_code, a.balance::text, coalesce(sum(e.amount), 0)::numeric(16,2)::text as journal
         from accounts a left join ledger_entries e on e.account_id = a.id group by a.id having a.balance <> coalesce(sum(e.amount), 0)`,
    );

  it('gives FUNDING a balanced opening movement against BANK_CAPITAL', async () => {
    const opening = await sql<{ system_code: string; amount: string; balance_before: string; balance_after: string }>(
      `select a.system_code, e.amount::text, e.balance_before::text, e.balance_after::text from ledger_entries e join accounts a on a.id = e.account_id
        where e.transaction_id = 'OPENING-FUNDING' order by e.id`,
    );
    expect(opening).toEqual([
      { system_code: 'BANK_CAPITAL', amount: '-9000000000000.00', balance_before: '0.00', balance_after: '-9000000000000.00' },
      { system_code: 'FUNDING', amount: '9000000000000.00', balance_before: '0.00', balance_after: '9000000000000.00' },
    ]);
    expect(await journalEqualsBalances()).toEqual([]);
    const [total] = await sql<{ total: string }>(`select sum(balance)::text as total from accounts`);
    expect(total!.total).toBe('0.00');
  });

  it('stays a plain sum after money moves, and only BANK_CAPITAL may be below zero', async () => {
    await createCustomer(orm, { balance: '1234.56' });
    expect(await journalEqualsBalances()).toEqual([]);
    const [unbalanced] = await sql<{ n: number }>(
      `select count(*)::int as n from (select movement_id from ledger_entries group by movement_id having sum(amount) <> 0) x`,
    );
    expect(unbalanced!.n).toBe(0);
    // The journal reads in order: FUNDING's entries chain from its opening.
    const [breaks] = await sql<{ n: number }>(
      `select count(*)::int as n from (select balance_before, lag(balance_after) over (partition by account_id order by id) as prev from ledger_entries) x where prev is not null and prev <> balance_before`,
    );
    expect(breaks!.n).toBe(0);
    await expect(sql(`update accounts set balance = -1 where system_code = 'FUNDING'`)).rejects.toThrow(/accounts_balance_check/);
  });
});
