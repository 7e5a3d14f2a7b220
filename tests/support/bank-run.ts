import { Money } from '../../src/domain/shared/money.ts';
import type { RunningPlatform } from '../../src/entrypoints/shared/platform.ts';
import type { PaymentRuntime } from './payment-runtime.ts';
import { finalInvariants, ledgerSnapshot, runBankWorkload, settleProviderPending, type BankClient, type WorkloadStats } from './bank-workload.ts';
import { createUser } from './fixtures.ts';
import { accessTokenFor } from './tokens.ts';

export interface BankRunOptions {
  /** Customers, each funded with `balance` from the bank's funding account and a wallet at both sandboxes. */
  customers: number;
  balance: string;
  /** The operator named on the funding credits. */
  operator: string;
  operations: number;
  concurrency: number;
  /** How long the providers get to answer what they still hold as pending, and the pause between two looks. */
  drainMs: number;
  drainPauseMs: number;
  /** Run a reconciler pass in each look (its clock a minute ahead: every pending top-up is due). */
  reconcile?: boolean;
  log?: (line: string) => void;
}

/**
 * The bank test over a running all-in-one platform with its in-process sandboxes, as the short
 * suite and `bench/bank-invariant.ts` run it: customers funded only from the bank, the random
 * workload under provider faults and late answers (payouts through the platform's own use case,
 * its checker running), the providers left to answer, then the final invariants. Returns the
 * workload's figures and every violation found, continuous and final.
 */
export async function runBankTest(p: RunningPlatform, runtime: PaymentRuntime, o: BankRunOptions): Promise<{ stats: WorkloadStats; violations: string[] }> {
  const sandboxes = runtime.sandboxes!;
  sandboxes.setWebhookBaseUrl(`${p.url}/api/payment/webhooks`);
  const clients: BankClient[] = [];
  for (let i = 0; i < o.customers; i++) {
    const u = await createUser(p.infra.orm);
    // Money enters customer accounts only from the bank's funding account.
    await runtime.credit.execute({ accountId: u.accountId, amount: Money.parse(o.balance), operator: o.operator });
    for (const sb of [sandboxes.gopay, sandboxes.shopeepay]) sb.control.registerWallet(u.phone, { name: u.username });
    clients.push({ userId: u.userId, username: u.username, phone: u.phone, token: accessTokenFor(p, { userId: u.userId, username: u.username }) });
  }
  const admin = await createUser(p.infra.orm, { role: 'ADMIN' });
  const adminToken = accessTokenFor(p, { userId: admin.userId, username: admin.username, role: 'ADMIN' });
  const initial = await ledgerSnapshot(p.infra.orm);
  o.log?.(`bank: ${o.operations} operations, ${o.concurrency} clients, ${o.customers} accounts + the bank's system accounts`);
  const stats = await runBankWorkload({
    baseUrl: () => p.url,
    orm: p.infra.orm,
    clients,
    adminToken,
    sandboxes,
    operations: o.operations,
    concurrency: o.concurrency,
    faults: true,
    lateAnswerMs: 4000,
    payouts: { handler: runtime.payouts.payouts, checkPending: runtime.payouts.checkPending, bank: runtime.payouts.adapter!.sandbox!.control },
  });

  // Let the providers answer: settle what they still hold as pending, then let webhooks and the reconciler finish.
  const deadline = Date.now() + o.drainMs;
  for (;;) {
    const refs = (
      (await p.infra.orm.em.getConnection().execute(`select transaction_id from historical_transactions where transaction_status = 'PENDING'`)) as {
        transaction_id: string;
      }[]
    ).map((r) => r.transaction_id);
    if (refs.length === 0 || Date.now() > deadline) break;
    await settleProviderPending(sandboxes, refs);
    if (o.reconcile) await runtime.reconciler.runOnce(new Date(Date.now() + 60_000));
    await new Promise((r) => setTimeout(r, o.drainPauseMs));
  }

  const violations = [
    ...stats.violations,
    ...(await finalInvariants(p.infra.orm, initial.total, sandboxes, { walletsFromZero: clients.map((c) => c.phone), bank: stats.bank })),
  ];
  return { stats, violations };
}
