import type { Money } from '../../../domain/shared/money.ts';
import { newTransactionId } from '../../../domain/shared/ids.ts';
import type { LedgerRepository } from '../../../domain/ledger/ledger.repository.ts';
import { mapUnit, type UnitOfWork } from '../../../domain/shared/unit-of-work.ts';
import type { LedgerTransaction } from '../../../domain/ledger/transaction.ts';
import { LedgerErrors } from '../../../domain/ledger/ledger.errors.ts';
import { decideRefund, paymentFee, refundLegs } from '../../../domain/ledger/merchant-postings.ts';
import { MerchantErrors } from '../../../domain/merchant/merchant.ts';
import type { MerchantRepository } from '../../../domain/merchant/merchant.repository.ts';
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
 * An operator refund of a SUCCESS PAYMENT, whole or in part, back to the payer (even SUSPENDED;
 * not CLOSED). The money comes from the merchant's account, less the proportional part of the
 * fee, which FEE_REVENUE gives back; a merchant whose balance does not cover it is 422
 * MERCHANT_INSUFFICIENT_FUNDS. The original row is locked while the refunds already made are
 * summed, so concurrent refunds can never exceed what was paid.
 */
export class RefundPaymentHandler {
  private readonly ledger: LedgerRepository;
  private readonly merchants: MerchantRepository;

  constructor(ledger: LedgerRepository, merchants: MerchantRepository) {
    this.ledger = ledger;
    this.merchants = merchants;
  }

  async execute(cmd: RefundPaymentCommand, unit?: UnitOfWork<LedgerTransaction>): Promise<LedgerTransaction> {
    const original = await this.ledger.findByTransactionId(cmd.transactionId);
    if (!original) throw LedgerErrors.transactionNotFound();
    if (original.type !== 'PAYMENT') throw LedgerErrors.notRefundable('only payments can be refunded');
    if (original.status !== 'SUCCESS') throw LedgerErrors.notRefundable('only a successful payment can be refunded');
    if (cmd.amount) assertPositive(cmd.amount);
    const code = original.metadata?.merchant_id;
    const merchant = typeof code === 'string' ? await this.merchants.findByCode(code) : null;
    if (!merchant) throw MerchantErrors.notFound();
    const payment = { gross: original.amount, fee: paymentFee(original.metadata) };
    const r = await this.ledger.post(
      {
        plan: async (reader) => {
          await reader.lockTransaction(original.transactionId);
          const decision = decideRefund(payment, await reader.refundedTotal(original.transactionId), cmd.amount);
          return refundLegs({
            payerAccountId: original.accountId,
            merchantAccountId: merchant.accountId,
            decision,
            row: {
              transactionId: newTransactionId('RFD'),
              type: 'REFUND',
              status: 'SUCCESS',
              description: cmd.reason ?? `refund of ${original.transactionId}`,
              relatedTransactionId: original.transactionId,
              metadata: {
                refund_of: original.transactionId,
                merchant_id: merchant.code,
                merchant_name: merchant.name,
                fee_reversed: decision.feeReversed.toString(),
                from_merchant: decision.fromMerchant.toString(),
                reason: cmd.reason ?? null,
                operator: cmd.operator,
              },
            },
          });
        },
      },
      mapUnit(unit, (res) => res.rows.at(-1)!),
    );
    return r.rows.at(-1)!;
  }
}
