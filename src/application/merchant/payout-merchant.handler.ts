import { Money } from '../../domain/shared/money.ts';
import { newTransactionId } from '../../domain/shared/ids.ts';
import { MerchantErrors } from '../../domain/merchant/merchant.ts';
import type { MerchantRepository } from '../../domain/merchant/merchant.repository.ts';
import { PAYOUT_REFERENCE, PayoutErrors, type Payout } from '../../domain/disbursement/payout.ts';
import { sendPayout, type PayoutBankDeps } from './payout-bank.ts';

/**
 * Pays a merchant's balance out to its bank account, with the finality rules of top-ups: the money
 * leaves the merchant's account (to PAYOUT_SETTLEMENT) before the bank is asked; SUCCESS keeps it
 * out; FAILED returns it exactly once; anything we do not know (timeout, 5xx, pending) leaves the
 * payout PENDING for CheckPayoutHandler, never failed. Idempotent on the payout reference.
 */
export class PayoutMerchantHandler {
  private readonly merchants: MerchantRepository;
  private readonly bank: PayoutBankDeps;

  constructor(deps: PayoutBankDeps & { merchants: MerchantRepository }) {
    this.merchants = deps.merchants;
    this.bank = deps;
  }

  async execute(cmd: { merchantCode: string; amount?: Money; reference?: string }): Promise<Payout> {
    const reference = cmd.reference ?? newTransactionId('PO');
    if (!PAYOUT_REFERENCE.test(reference)) throw PayoutErrors.invalidReference();
    const m = await this.merchants.findByCode(cmd.merchantCode);
    if (!m) throw MerchantErrors.notFound();
    const existing = await this.bank.payouts.find(reference);
    if (existing) {
      if (existing.merchantId !== m.id || (cmd.amount && !cmd.amount.equals(existing.amount))) throw PayoutErrors.referenceReused();
      return sendPayout(this.bank, existing);
    }
    if (!m.bankAccount) throw PayoutErrors.noBankAccount();
    // What is available: the balance above the merchant's payout reserve (kept for refunds).
    const available = m.balance.compare(m.payoutReserve) > 0 ? m.balance.minus(m.payoutReserve) : Money.zero();
    const amount = cmd.amount ?? available;
    if (amount.isZero()) throw PayoutErrors.nothingToPay();
    const { payout } = await this.bank.payouts.create({ reference, merchant: { ...m, bankAccount: m.bankAccount }, amount });
    return sendPayout(this.bank, payout);
  }
}
