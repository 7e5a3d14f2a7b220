// A process that starts one batch of payments and is killed by tests/integration/ledger-batch.test.ts
// while the batch waits on a lock (it never exits on its own before being killed).
import { createOrm } from '../../src/adapters/persistence/orm.ts';
import { PostgresLedgerRepository } from '../../src/adapters/persistence/payment/postgres-ledger.repository.ts';
import { paymentLegs } from '../../src/domain/ledger/merchant-postings.ts';
import { BI_QRIS_FEE_TABLE, splitPayment } from '../../src/domain/merchant/mdr.ts';
import { Money } from '../../src/domain/shared/money.ts';

const orm = await createOrm({ url: process.env.CHILD_DATABASE_URL!, poolMax: 2 });
const ledger = new PostgresLedgerRepository(orm, { topic: 'ledger-batch-kill', batch: { max: 64, windowMs: 20, concurrency: 1 } });
const merchant = JSON.parse(process.env.CHILD_MERCHANT!) as { accountId: string; category: 'REGULAR'; feeBps: number | null };
const payers = JSON.parse(process.env.CHILD_PAYERS!) as string[];
const ids = JSON.parse(process.env.CHILD_IDS!) as string[];
await Promise.allSettled(
  payers.map((accountId, i) =>
    ledger.post({
      plan: () =>
        Promise.resolve(
          paymentLegs({
            payerAccountId: accountId,
            merchantAccountId: merchant.accountId,
            split: splitPayment(Money.parse('10000.00'), merchant, BI_QRIS_FEE_TABLE),
            row: { transactionId: ids[i]!, type: 'PAYMENT', status: 'SUCCESS' },
          }),
        ),
    }),
  ),
);
await orm.close(true);
