import { pino } from 'pino';
import type { Orm } from '../../src/adapters/persistence/orm.ts';
import type { SandboxesUnderTest } from './remote-sandboxes.ts';
import { GoPayEWalletProvider } from '../../src/adapters/ewallet/gopay/gopay-ewallet-provider.ts';
import { ShopeePayEWalletProvider } from '../../src/adapters/ewallet/shopeepay/shopeepay-ewallet-provider.ts';
import { PostgresReconciliationRepository } from '../../src/adapters/persistence/reconciliation/postgres-reconciliation.repository.ts';
import { ReconcileStatementHandler } from '../../src/application/payment/reconcile-statements/reconcile-statement.handler.ts';

/**
 * The bank invariant's reconciliation check (issue 17): every day that has top-ups, both providers'
 * statements reconciled against the ledger, through the real adapters and the sandboxes' signed
 * report endpoints. After a clean workload every exception is a violation.
 */
export async function statementExceptions(orm: Orm, sandboxes: SandboxesUnderTest): Promise<string[]> {
  const call = { timeoutMs: 10_000, retries: 2, backoffMs: 50, circuitFailureThreshold: 1000, circuitOpenMs: 1000 };
  const logger = pino({ level: 'silent' });
  const handler = new ReconcileStatementHandler(new PostgresReconciliationRepository(orm), {
    GOPAY: new GoPayEWalletProvider({ baseUrl: sandboxes.gopay.url, ...sandboxes.gopay.credentials, call }, logger),
    SHOPEE_PAY: new ShopeePayEWalletProvider({ baseUrl: sandboxes.shopeepay.url, ...sandboxes.shopeepay.credentials, call }, logger),
  });
  const days = (await orm.em
    .getConnection()
    .execute(
      `select distinct to_char((created_at at time zone 'Asia/Jakarta')::date, 'YYYY-MM-DD') as day from historical_transactions where transaction_type = 'TOPUP' order by 1`,
    )) as { day: string }[];
  const v: string[] = [];
  for (const { day } of days) {
    for (const provider of ['GOPAY', 'SHOPEE_PAY'] as const) {
      const run = await handler.execute({ provider, date: day, triggeredBy: 'bank-invariant' });
      for (const e of run.exceptions)
        v.push(
          `reconciliation ${provider} ${day}: ${e.kind} ${e.reference} (ours ${e.ourStatus ?? '-'} ${e.ourAmount?.toString() ?? '-'}, provider ${e.providerStatus ?? '-'} ${e.providerAmount?.toString() ?? '-'})`,
        );
    }
  }
  return v;
}
