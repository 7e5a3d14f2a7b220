import type { Money } from '../../../domain/shared/money.ts';
import { newTransactionId } from '../../../domain/shared/ids.ts';
import type { InTransaction, LedgerRepository } from '../../../domain/ledger/ledger.repository.ts';
import type { LedgerTransaction } from '../../../domain/ledger/transaction.ts';
import { LedgerErrors } from '../../../domain/ledger/ledger.errors.ts';
import { assertPositive } from '../shared/amounts.ts';

export interface RefundPaymentCommand {
  /** The PAYMENT's transaction_id. */
  transactionId: string;
  /** Omitted: everything not yet refunded. */
  amount?: Money;
  reason?: string | null;
  operator: string;
}

/**
 * An operator refund of a SUCCESS PAYMENT, whole or in part, back to the payer: merchant
 * settlement → the payer's account (even SUSPENDED; not CLOSED). The original row is locked while
 * the refunds already made are summed, so concurrent refunds can never exceed what was paid.
 */
export class RefundPaymentHandler {
  private readonly ledger: LedgerRepository;

  constructor(ledger: LedgerRepository) {
    this.ledger = ledger;
  }

  async execute(cmd: RefundPaymentCommand, inTransaction?: InTransaction<LedgerTransaction>): Promise<LedgerTransaction> {
    const original = await this.ledger.findByTransactionId(cmd.transactionId);
    if (!original) throw LedgerErrors.transactionNotFound();
    if (original.type !== 'PAYMENT') throw LedgerErrors.notRefundable('only payments can be refunded');
    if (original.status !== 'SUCCESS') throw LedgerErrors.notRefundable('only a successful payment can be refunded');
    let amount = cmd.amount;
    if (amount) assertPositive(amount);
    const r = await this.ledger.move(
      {
        get amount(): Money {
          return amount!;
        },
        from: { system: 'MERCHANT_SETTLEMENT' },
        to: { accountId: original.accountId },
        fromRule: 'any',
        toRule: 'not_closed',
        toRow: {
          transactionId: newTransactionId('RFD'),
          type: 'REFUND',
          status: 'SUCCESS',
          description: cmd.reason ?? `refund of ${original.transactionId}`,
          relatedTransactionId: original.transactionId,
          metadata: { refund_of: original.transactionId, merchant_id: original.metadata?.merchant_id ?? null, reason: cmd.reason ?? null, operator: cmd.operator },
        },
        guard: async (reader) => {
          await reader.lockTransaction(original.transactionId);
          const left = original.amount.minus(await reader.refundedTotal(original.transactionId));
          if (left.isZero()) throw LedgerErrors.notRefundable('the payment is already fully refunded');
          amount ??= left;
          if (amount.compare(left) > 0) throw LedgerErrors.refundExceedsPayment(left.toString());
        },
      },
      inTransaction && ((tx, res) => inTransaction(tx, res.toRow!)),
    );
    return r.toRow!;
  }
}
