import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrm, type Orm } from '../../src/adapters/persistence/orm.ts';
import { requireEnv } from '../support/services.ts';
import { balanceOf, createCustomer, createMerchant, paymentKit } from '../support/payment-fixtures.ts';
import { Money } from '../../src/domain/shared/money.ts';
import { runAdminCli } from '../support/admin-cli.ts';

let orm: Orm;
beforeAll(async () => {
  orm = await createOrm({ url: requireEnv('TEST_DATABASE_URL'), poolMax: 4 });
  await createMerchant(orm, { code: 'M-CLI' });
});
afterAll(() => orm.close(true));

/** Runs the operator CLI as operators do; resolves with its exit code, stdout and stderr. */
const admin = (...args: string[]) => runAdminCli(args);

// Each step spawns the CLI (a fresh Node process loading the TypeScript sources): on a busy two-core
// machine a dozen spawns take longer than the default 30 s, which is no failure of the CLI.
describe('admin CLI: accounts and refunds', { timeout: 120_000 }, () => {
  it('credits from the funding account, suspends, reactivates, and refuses bad input with exit code 2', async () => {
    const c = await createCustomer(orm);
    const credit = await admin('accounts', 'credit', '--account', c.username, '--amount', '250000.00', '--description', 'demo', '--json');
    expect(credit.code).toBe(0);
    const t = JSON.parse(credit.out) as Record<string, unknown>;
    expect(t).toMatchObject({ transaction_type: 'TRANSFER', transaction_status: 'SUCCESS', amount: '250000.00', balance_after: '250000.00' });
    expect(await balanceOf(orm, c.accountId)).toBe('250000.00');

    const suspend = await admin('accounts', 'suspend', '--account', c.accountId, '--json');
    expect(suspend.code).toBe(0);
    expect(JSON.parse(suspend.out)).toMatchObject({ account_status: 'SUSPENDED', previous_status: 'ACTIVE' });
    const again = await admin('accounts', 'suspend', '--account', c.accountId, '--json');
    expect(again.code).toBe(2);
    expect(JSON.parse(again.err)).toMatchObject({ error: 'ACCOUNT_STATUS_CHANGE_NOT_ALLOWED' });
    const credit2 = await admin('accounts', 'credit', '--account', c.accountId, '--amount', '1.00', '--json');
    expect(credit2.code).toBe(2);
    expect(JSON.parse(credit2.err)).toMatchObject({ error: 'ACCOUNT_NOT_ACTIVE' });
    expect((await admin('accounts', 'reactivate', '--account', c.phone)).code).toBe(0);

    const human = await admin('accounts', 'show', '--account', c.username);
    expect(human.out).toContain('ACTIVE');
    expect(human.out).toContain('250000.00');

    const bad = await admin('accounts', 'credit', '--account', c.username, '--amount', '1.001');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--amount');
    const missing = await admin('accounts', 'credit', '--account', 'no_such_user_here', '--amount', '1.00', '--json');
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.err)).toMatchObject({ error: 'ACCOUNT_NOT_FOUND' });
    const close = await admin('accounts', 'close', '--account', c.username, '--json');
    expect(close.code).toBe(2);
    expect(JSON.parse(close.err)).toMatchObject({ error: 'ACCOUNT_BALANCE_NOT_ZERO' });
  });

  it('refunds a payment in part, then the rest, then refuses', async () => {
    const c = await createCustomer(orm, { balance: '50000.00' });
    const p = await paymentKit(orm).pay.execute({ userId: c.userId, amount: Money.parse('40000.00'), merchantId: 'M-CLI' });
    const part = await admin('refunds', 'create', '--transaction', p.transactionId, '--amount', '15000.00', '--reason', 'damaged', '--json');
    expect(part.code).toBe(0);
    expect(JSON.parse(part.out)).toMatchObject({ transaction_type: 'REFUND', amount: '15000.00', related_transaction_id: p.transactionId });
    const over = await admin('refunds', 'create', '--transaction', p.transactionId, '--amount', '25000.01', '--json');
    expect(over.code).toBe(2);
    expect(JSON.parse(over.err)).toMatchObject({ error: 'REFUND_EXCEEDS_PAYMENT' });
    const rest = await admin('refunds', 'create', '--transaction', p.transactionId);
    expect(rest.code).toBe(0);
    expect(rest.out).toContain('refunded 25000.00');
    expect(await balanceOf(orm, c.accountId)).toBe('50000.00');
    const done = await admin('refunds', 'create', '--transaction', p.transactionId, '--json');
    expect(done.code).toBe(2);
    expect(JSON.parse(done.err)).toMatchObject({ error: 'TRANSACTION_NOT_REFUNDABLE' });
    expect((await admin('refunds', 'create', '--json')).code).toBe(2);
  });
});
