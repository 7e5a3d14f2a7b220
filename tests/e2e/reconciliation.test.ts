import { adminContext, openAdminContainer } from '../../src/entrypoints/admin/admin-container.ts';
import { closeContainer } from '../../src/entrypoints/composition/container.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type RunningPlatform } from '../../src/entrypoints/shared/platform.ts';
import { createPaymentModule } from '../../src/entrypoints/payment/payment.module.ts';
import { paymentRuntime, type PaymentRuntime } from '../support/payment-runtime.ts';
import { paymentEnvFor, type Sandboxes } from '../../src/adapters/ewallet/index.ts';
import { PostgresReconciliationRepository } from '../../src/adapters/persistence/reconciliation/postgres-reconciliation.repository.ts';
import { DailyReconciliationJob } from '../../src/application/payment/reconcile-statements/daily-reconciliation.job.ts';
import { statementDateOf } from '../../src/domain/reconciliation/reconciliation.ts';
import { reconcileCommands } from '../../src/entrypoints/admin/commands/reconcile.commands.ts';
import { realServicesConfig, uniq } from '../support/services.ts';
import { createIsolatedDatabase } from '../support/isolated-database.ts';
import { accessTokenFor } from '../support/tokens.ts';
import { balanceOf, createCustomer, type Customer } from '../support/payment-fixtures.ts';
import { runAdminCli } from '../support/admin-cli.ts';

// Issue 17: daily reconciliation with the providers' statements. A database of its own: the run
// counts every top-up of the day, and the sums over all accounts must be exact.
let db: Awaited<ReturnType<typeof createIsolatedDatabase>>;
let p: RunningPlatform;
let runtime: PaymentRuntime;
let sandboxes: Sandboxes;
let today: string;

beforeAll(async () => {
  db = await createIsolatedDatabase('onegate_recon');
  p = await startPlatform({
    service: 'payment-service',
    modules: [createPaymentModule({ reconciler: false })],
    config: realServicesConfig({ DATABASE_URL: db.url }),
  });
  runtime = paymentRuntime(p.container);
  sandboxes = runtime.sandboxes!;
  sandboxes.setWebhookBaseUrl(`${p.url}/api/payment/webhooks`);
  today = statementDateOf(new Date());
}, 60_000);
afterAll(async () => {
  await p?.stop();
  await db?.drop();
});

const sql = async <T = Record<string, unknown>>(q: string, params: unknown[] = []) => (await p.infra.orm.em.fork().getConnection().execute(q, params)) as T[];
const totalBalance = async () => (await sql<{ s: string }>(`select sum(balance)::text as s from accounts`))[0]!.s;
const systemBalance = async (code: string) => (await sql<{ b: string }>(`select balance::text as b from accounts where system_code = ?`, [code]))[0]!.b;
const control = (url: string, method: string, path: string, body?: unknown) =>
  fetch(url + path, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) }).then(
    (r) => r.status,
  );

async function topUps(c: Customer, method: 'GOPAY' | 'SHOPEE_PAY', n: number, amount = '10000.00'): Promise<string[]> {
  const token = accessTokenFor(p, { userId: c.userId, username: c.username, role: 'USER' });
  const refs: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await fetch(`${p.url}/api/payment/wallet/topup`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ amount, payment_method: method, phone_number: c.phone }),
    });
    const body = (await r.json()) as { data: { transaction_id: string; transaction_status: string } };
    expect([r.status, body.data.transaction_status]).toEqual([201, 'SUCCESS']);
    refs.push(body.data.transaction_id);
  }
  return refs;
}

/** An operator command run in this process (its code without a process spawn; one spawn above proves the CLI). */
async function command(name: string, flags: Record<string, string>): Promise<unknown> {
  let printed: unknown;
  const cmd = reconcileCommands.find((c) => c.name === name)!;
  const config = realServicesConfig({ DATABASE_URL: db.url, ...paymentEnvFor(sandboxes) });
  const container = await openAdminContainer(config, { kind: 'open', orm: p.infra.orm });
  try {
    await cmd.run(adminContext(container, flags, (r) => (printed = r)));
  } finally {
    await closeContainer(container);
  }
  return JSON.parse(JSON.stringify(printed)) as unknown;
}
const admin = (...args: string[]) => runAdminCli(args, { ...paymentEnvFor(sandboxes), DATABASE_URL: db.url });

// One step spawns the operator CLI (a fresh Node process loading the sources): slow on a busy two-core machine.
describe("daily reconciliation with the providers' statements", { timeout: 120_000 }, () => {
  let customer: Customer;
  let gopayRefs: string[];

  it('finds zero exceptions after a clean day (CLI: npm run admin -- reconcile)', async () => {
    customer = await createCustomer(p.infra.orm, { balance: '200000.00' });
    gopayRefs = await topUps(customer, 'GOPAY', 6);
    await topUps(customer, 'SHOPEE_PAY', 2);
    const cli = await admin('reconcile', '--provider', 'GOPAY', '--date', today, '--operator', 'alice', '--json');
    expect(cli.code, cli.err).toBe(0);
    const out = JSON.parse(cli.out) as { counts: Record<string, number>; exceptions: unknown[]; triggered_by: string };
    expect(out.counts).toEqual({ statement_lines: 6, our_topups: 6, matched: 6, missing_ours: 0, missing_provider: 0, amount_mismatch: 0, status_mismatch: 0 });
    expect(out.exceptions).toEqual([]);
    expect(out.triggered_by).toBe('cli:alice');
    const shopee = await runtime.reconcileStatement.execute({ provider: 'SHOPEE_PAY', date: today, triggeredBy: 'test' });
    expect([shopee.matched, shopee.exceptions.length]).toEqual([2, 0]);
  });

  it('finds exactly the mismatch injected at the provider, of each kind, and changes no balance', async () => {
    const gopay = sandboxes.gopay.url;
    const [lost, bigger, failed] = gopayRefs as [string, string, string];
    const foreign = uniq('TOP-FOREIGN-');
    expect(await control(gopay, 'DELETE', `/sandbox/topups/${lost}`)).toBe(204);
    expect(await control(gopay, 'PATCH', `/sandbox/topups/${bigger}`, { amount: '15000.00' })).toBe(200);
    expect(await control(gopay, 'PATCH', `/sandbox/topups/${failed}`, { status: 'FAILED' })).toBe(200);
    expect(await control(gopay, 'POST', '/sandbox/topups', { reference: foreign, phone: customer.phone, amount: '7000.00', status: 'SUCCESS' })).toBe(201);

    const before = { total: await totalBalance(), customer: await balanceOf(p.infra.orm, customer.accountId) };
    const r = await runtime.reconcileStatement.execute({ provider: 'GOPAY', date: today, triggeredBy: 'test' });
    expect(r.exceptions.map((e) => [e.kind, e.reference]).sort()).toEqual(
      [
        ['AMOUNT_MISMATCH', bigger],
        ['MISSING_OURS', foreign],
        ['MISSING_PROVIDER', lost],
        ['STATUS_MISMATCH', failed],
      ].sort(),
    );
    expect({
      matched: r.matched,
      missingOurs: r.missingOurs,
      missingProvider: r.missingProvider,
      amountMismatch: r.amountMismatch,
      statusMismatch: r.statusMismatch,
    }).toEqual({
      matched: 3,
      missingOurs: 1,
      missingProvider: 1,
      amountMismatch: 1,
      statusMismatch: 1,
    });
    expect(r.exceptions.find((e) => e.kind === 'AMOUNT_MISMATCH')).toMatchObject({ ourAmount: expect.objectContaining({}), providerStatus: 'SUCCESS' });
    expect(r.exceptions.find((e) => e.kind === 'AMOUNT_MISMATCH')!.providerAmount!.toString()).toBe('15000.00');
    expect(r.exceptions.find((e) => e.kind === 'STATUS_MISMATCH')).toMatchObject({ ourStatus: 'SUCCESS', providerStatus: 'FAILED' });
    expect({ total: await totalBalance(), customer: await balanceOf(p.infra.orm, customer.accountId) }).toEqual(before);

    // Run again: the same four discrepancies, the same four cases (none opened twice).
    const again = await runtime.reconcileStatement.execute({ provider: 'GOPAY', date: today, triggeredBy: 'test' });
    expect(again.exceptions.map((e) => e.caseId).sort()).toEqual(r.exceptions.map((e) => e.caseId).sort());
    expect(await sql(`select 1 from reconciliation_cases where provider = 'GOPAY'`)).toHaveLength(4);

    // The metrics and the report say so.
    const metrics = await (await fetch(`${p.url}/metrics`)).text();
    expect(metrics).toMatch(/reconciliation_open_cases\{[^}]*provider="GOPAY"[^}]*kind="MISSING_OURS"[^}]*\} 1/);
    expect(metrics).toMatch(/reconciliation_last_run_lines\{[^}]*provider="GOPAY"[^}]*outcome="matched"[^}]*\} 3/);
    expect(metrics).toMatch(/reconciliation_last_run_timestamp_seconds\{[^}]*provider="GOPAY"[^}]*\} \d/);
    const rep = (await command('reconcile report', { from: today, to: today, provider: 'GOPAY' })) as {
      runs: { counts: { matched: number } }[];
      open_cases: { kind: string }[];
    };
    expect(rep.runs.map((x) => x.counts.matched)).toEqual([6, 3, 3]);
    expect(rep.open_cases.map((c) => c.kind).sort()).toEqual(['AMOUNT_MISMATCH', 'MISSING_OURS', 'MISSING_PROVIDER', 'STATUS_MISMATCH']);
  });

  it('resolves each case once, with a balanced movement or a documented no-action', async () => {
    const cases = new Map((await new PostgresReconciliationRepository(p.infra.orm).cases({ provider: 'GOPAY', status: 'OPEN' })).map((c) => [c.kind, c]));
    const total = await totalBalance();
    const customerBefore = Number(await balanceOf(p.infra.orm, customer.accountId));
    const settlementBefore = Number(await systemBalance('GOPAY_SETTLEMENT'));
    const fundingBefore = Number(await systemBalance('FUNDING'));

    // Not credited by the provider: refund the customer from the settlement account, exactly once even when raced.
    const missing = cases.get('MISSING_PROVIDER')!;
    const raced = await Promise.allSettled(
      [1, 2, 3].map(() => runtime.resolveCase.execute({ caseId: missing.id, resolution: 'refund', note: null, operator: 'cli:bob' })),
    );
    expect(raced.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
    expect(raced.filter((x) => x.status === 'rejected').map((x) => (x as PromiseRejectedResult).reason.code)).toEqual([
      'CASE_ALREADY_RESOLVED',
      'CASE_ALREADY_RESOLVED',
    ]);
    const refunded = (raced.find((x) => x.status === 'fulfilled') as PromiseFulfilledResult<Awaited<ReturnType<typeof runtime.resolveCase.execute>>>).value;
    expect(refunded).toMatchObject({ status: 'RESOLVED', resolution: 'refund', resolvedBy: 'cli:bob' });
    expect(refunded.resolutionTransactionId).toMatch(/^RFD/);
    const status = cases.get('STATUS_MISMATCH')!;
    await runtime.resolveCase.execute({ caseId: status.id, resolution: 'refund', note: 'GoPay says FAILED', operator: 'cli:bob' });

    // Credited more than we debited: a refund does not fit; the bank writes the difference off.
    const amount = cases.get('AMOUNT_MISMATCH')!;
    await expect(runtime.resolveCase.execute({ caseId: amount.id, resolution: 'refund', note: null, operator: 'cli:bob' })).rejects.toMatchObject({
      code: 'RESOLUTION_NOT_APPLICABLE',
    });
    await runtime.resolveCase.execute({ caseId: amount.id, resolution: 'write-off', note: 'over-credit by GoPay', operator: 'cli:bob' });

    // A top-up we never sent: no action, with a note (CLI); without one it is refused.
    const foreign = cases.get('MISSING_OURS')!;
    await expect(runtime.resolveCase.execute({ caseId: foreign.id, resolution: 'no-action', note: '  ', operator: 'cli:bob' })).rejects.toMatchObject({
      code: 'NOTE_REQUIRED',
    });
    const noted = await command('reconcile resolve', { case: foreign.id, action: 'no-action', note: 'GoPay reverses it (ticket 42)', operator: 'carol' });
    expect(noted).toMatchObject({
      status: 'RESOLVED',
      resolution: 'no-action',
      note: 'GoPay reverses it (ticket 42)',
      resolved_by: 'cli:carol',
      movement_id: null,
    });
    await expect(command('reconcile resolve', { case: foreign.id, action: 'no-action', note: 'again' })).rejects.toMatchObject({
      code: 'CASE_ALREADY_RESOLVED',
    });
    expect(((await command('reconcile cases', { provider: 'GOPAY', status: 'ALL' })) as unknown[]).length).toBe(4);

    // Two refunds of 10000.00 to the customer from the settlement, 5000.00 from FUNDING into it; the sum over all accounts is unchanged.
    expect(Number(await balanceOf(p.infra.orm, customer.accountId))).toBe(customerBefore + 20000);
    expect(Number(await systemBalance('GOPAY_SETTLEMENT'))).toBe(settlementBefore - 20000 + 5000);
    expect(Number(await systemBalance('FUNDING'))).toBe(fundingBefore - 5000);
    expect(await totalBalance()).toBe(total);
    const unbalanced = await sql(`select movement_id from ledger_entries group by movement_id having sum(amount) <> 0`);
    expect(unbalanced).toEqual([]);
    expect(await sql(`select 1 from reconciliation_cases where case_status = 'OPEN'`)).toEqual([]);
  });

  it('settles a top-up still PENDING here that the provider settled (its notification lost)', async () => {
    const c = await createCustomer(p.infra.orm, { balance: '50000.00' });
    const token = accessTokenFor(p, { userId: c.userId, username: c.username, role: 'USER' });
    sandboxes.setWebhookBaseUrl(undefined); // the provider's notification never arrives
    sandboxes.shopeepay.control.behave('topup', { kind: 'pending' }, 1);
    const r = await fetch(`${p.url}/api/payment/wallet/topup`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ amount: '20000.00', payment_method: 'SHOPEE_PAY', phone_number: c.phone }),
    });
    const ref = ((await r.json()) as { data: { transaction_id: string } }).data.transaction_id;
    expect(r.status).toBe(202);
    sandboxes.shopeepay.control.settle(ref, 'SUCCESS');
    const run = await runtime.reconcileStatement.execute({ provider: 'SHOPEE_PAY', date: today, triggeredBy: 'test' });
    sandboxes.setWebhookBaseUrl(`${p.url}/api/payment/webhooks`);
    const e = run.exceptions.find((x) => x.reference === ref)!;
    expect(e).toMatchObject({ kind: 'STATUS_MISMATCH', ourStatus: 'PENDING', providerStatus: 'SUCCESS' });
    await expect(runtime.resolveCase.execute({ caseId: e.caseId, resolution: 'refund', note: null, operator: 'x' })).rejects.toMatchObject({
      code: 'RESOLUTION_NOT_APPLICABLE',
    });
    await runtime.resolveCase.execute({ caseId: e.caseId, resolution: 'settle', note: null, operator: 'cli:bob' });
    expect((await sql<{ s: string }>(`select transaction_status::text as s from historical_transactions where transaction_id = ?`, [ref]))[0]!.s).toBe(
      'SUCCESS',
    );
    expect(await balanceOf(p.infra.orm, c.accountId)).toBe('30000.00');
  });

  it('runs the scheduled daily job on one replica only: the day is claimed once per provider', async () => {
    const repo = new PostgresReconciliationRepository(p.infra.orm);
    const opts = { providers: ['GOPAY', 'SHOPEE_PAY'] as const, checkIntervalMs: 60_000, fromHourJakarta: 2, leaseSeconds: 60 };
    const replicas = ['pay-1', 'pay-2', 'pay-3'].map(
      (owner) => new DailyReconciliationJob(repo, runtime.reconcileStatement, { ...opts, providers: [...opts.providers], owner }),
    );
    // 03:00 in Jakarta the day after `today`: `today` is due.
    const at = new Date(Date.parse(`${today}T03:00:00+07:00`) + 86_400_000);
    expect(replicas[0]!.dueDate(at)).toBe(today);
    expect(replicas[0]!.dueDate(new Date(Date.parse(`${today}T01:00:00+07:00`) + 86_400_000))).toBeNull();
    const done = await Promise.all(replicas.map((j) => j.runOnce(at)));
    expect(done.flat().sort()).toEqual(['GOPAY', 'SHOPEE_PAY']);
    expect(await Promise.all(replicas.map((j) => j.runOnce(at)))).toEqual([[], [], []]);
    const claims = await sql<{ provider: string; claimed_by: string; run_id: string | null }>(
      `select provider::text as provider, claimed_by, run_id::text as run_id from reconciliation_daily_claims where statement_date = ?::date`,
      [today],
    );
    expect(claims).toHaveLength(2);
    for (const c of claims) expect(c.run_id).not.toBeNull();
    const scheduled = await sql(`select 1 from reconciliation_runs where statement_date = ?::date and triggered_by like 'scheduler:%'`, [today]);
    expect(scheduled).toHaveLength(2);
  });
});
