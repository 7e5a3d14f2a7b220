import { describe, expect, it } from 'vitest';
import { Money } from '../../src/domain/shared/money.ts';
import { decideSettlement } from '../../src/domain/ledger/settlement.ts';
import type { LedgerTransaction, TransactionStatus } from '../../src/domain/ledger/transaction.ts';

const topUp = (status: TransactionStatus): LedgerTransaction => ({
  id: '1',
  userId: 7,
  accountId: 'acc-1',
  transactionId: 'TOP-1',
  type: 'TOPUP',
  status,
  amount: Money.parse('50000.00'),
  balanceBefore: Money.parse('100000.00'),
  balanceAfter: Money.parse('50000.00'),
  currency: 'IDR',
  description: null,
  externalReference: null,
  paymentMethod: 'SHOPEE_PAY',
  metadata: null,
  relatedTransactionId: null,
  createdAt: new Date(),
  updatedAt: new Date(),
});

describe('decideSettlement (PENDING → final, pure)', () => {
  it('settles a PENDING top-up once; a final one is left as it is', () => {
    expect(decideSettlement(topUp('PENDING'), 'SUCCESS')).toEqual({ kind: 'apply', outcome: 'SUCCESS', release: null });
    for (const s of ['SUCCESS', 'FAILED', 'CANCELLED'] as const) {
      expect(decideSettlement(topUp(s), 'FAILED')).toEqual({ kind: 'already-final' });
      expect(decideSettlement(topUp(s), 'SUCCESS')).toEqual({ kind: 'already-final' });
    }
  });

  it("a failure releases exactly the amount from the provider's settlement account, with a REFUND row linked to the top-up", () => {
    const d = decideSettlement(topUp('PENDING'), 'FAILED', 'DECLINED');
    if (d.kind !== 'apply' || !d.release) throw new Error('expected a release');
    expect(d.release.amount.toString()).toBe('50000.00');
    expect(d.release.from).toEqual({ system: 'SHOPEE_PAY_SETTLEMENT' });
    expect(d.release.to).toEqual({ accountId: 'acc-1' });
    expect(d.release.toRule).toBe('any');
    expect(d.release.toRow).toMatchObject({
      type: 'REFUND',
      status: 'SUCCESS',
      relatedTransactionId: 'TOP-1',
      metadata: { refund_of: 'TOP-1', reason: 'DECLINED' },
    });
  });
});
