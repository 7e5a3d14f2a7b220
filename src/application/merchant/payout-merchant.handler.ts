import type { Logger } from '../ports/logger.ts';
import { Money } from '../../domain/shared/money.ts';
import type { DomainError } from '../../domain/shared/domain-error.ts';
import { newTransactionId } from '../../domain/shared/ids.ts';
import { MerchantErrors } from '../../domain/merchant/merchant.ts';
import type { MerchantRepository } from '../../domain/merchant/merchant.repository.ts';
import type { DisbursementProvider, DisbursementResult } from '../../domain/disbursement/disbursement-provider.ts';
import { PAYOUT_REFERENCE, PayoutErrors, type Payout } from '../../domain/disbursement/payout.ts';
import type { PayoutRepository } from '../../domain/disbursement/payout.repository.ts';

/**
 * Pays a merchant's balance out to its bank account, with the finality rules of top-ups: the money
 * leaves the merchant's account (to PAYOUT_SETTLEMENT) before the bank is asked; SUCCESS keeps it
 * out; FAILED returns it exactly once; anything we do not know (timeout, 5xx, pending) leaves the
 * payout PENDING for `check`, never failed. Idempotent on the payout reference.
 */
export class PayoutMerchantHandler {
  private readonly merchants: MerchantRepository;
  private readonly payouts: PayoutRepository;
  private readonly provider: DisbursementProvider;
  private readonly logger: Logger | undefined;

  constructor(deps: { merchants: MerchantRepository; payouts: PayoutRepository; provider: DisbursementProvider; logger?: Logger }) {
    this.merchants = deps.merchants;
    this.payouts = deps.payouts;
    this.provider = deps.provider;
    this.logger = deps.logger;
  }

  async execute(cmd: { merchantCode: string; amount?: Money; reference?: string }): Promise<Payout> {
    const reference = cmd.reference ?? newTransactionId('PO');
    if (!PAYOUT_REFERENCE.test(reference)) throw PayoutErrors.invalidReference();
    const m = await this.merchants.findByCode(cmd.merchantCode);
    if (!m) throw MerchantErrors.notFound();
    const existing = await this.payouts.find(reference);
    if (existing) {
      if (existing.merchantId !== m.id || (cmd.amount && !cmd.amount.equals(existing.amount))) throw PayoutErrors.referenceReused();
      return this.drive(existing);
    }
    if (!m.bankAccount) throw PayoutErrors.noBankAccount();
    // What is available: the balance above the merchant's payout reserve (kept for refunds).
    const available = m.balance.compare(m.payoutReserve) > 0 ? m.balance.minus(m.payoutReserve) : Money.zero();
    const amount = cmd.amount ?? available;
    if (amount.isZero()) throw PayoutErrors.nothingToPay();
    const { payout } = await this.payouts.create({ reference, merchant: { ...m, bankAccount: m.bankAccount }, amount });
    return this.drive(payout);
  }

  /** Asks the provider about a PENDING payout and applies its answer; a transfer it never received is sent again (same reference). */
  async check(reference: string): Promise<Payout> {
    const p = await this.payouts.find(reference);
    if (!p) throw PayoutErrors.notFound();
    if (p.status !== 'PENDING') return p;
    let r: DisbursementResult;
    try {
      r = await this.provider.status(reference);
    } catch (err) {
      return this.unknown(p, err);
    }
    if (r.status === 'FAILED' && r.reason === 'NOT_FOUND') return this.drive(p);
    return this.apply(p, r);
  }

  /** Every PENDING payout older than `olderThan`: what the operator's `merchants payout-check` runs. */
  async checkPending(olderThan: Date, limit = 100): Promise<Payout[]> {
    const out: Payout[] = [];
    for (const p of await this.payouts.pending(olderThan, limit)) out.push(await this.check(p.reference));
    return out;
  }

  private async drive(p: Payout): Promise<Payout> {
    if (p.status !== 'PENDING') return p;
    let r: DisbursementResult;
    try {
      r = await this.provider.transfer({
        reference: p.reference,
        bankCode: p.bankAccount.bankCode,
        accountNumber: p.bankAccount.accountNumber,
        holderName: p.bankAccount.holderName,
        amount: p.amount,
      });
    } catch (err) {
      return this.unknown(p, err);
    }
    return this.apply(p, r);
  }

  private async apply(p: Payout, r: DisbursementResult): Promise<Payout> {
    if (r.status === 'SUCCESS') return (await this.payouts.markSucceeded(p.reference, r.providerReference)).payout;
    if (r.status === 'FAILED') return (await this.payouts.markFailed(p.reference, r.reason ?? 'FAILED', r.providerReference)).payout;
    return p;
  }

  private unknown(p: Payout, err: unknown): Payout {
    const code = (err as DomainError).code;
    if (!['PROVIDER_TIMEOUT', 'PROVIDER_ERROR', 'PROVIDER_UNAVAILABLE'].includes(code)) throw err;
    this.logger?.warn({ reference: p.reference, code }, 'payout outcome unknown: left PENDING for payout-check');
    return p;
  }
}
