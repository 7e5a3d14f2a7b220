import type { DisbursementResult } from '../../domain/disbursement/disbursement-provider.ts';
import { PayoutErrors, type Payout } from '../../domain/disbursement/payout.ts';
import { applyBankAnswer, outcomeUnknown, sendPayout, type PayoutBankDeps } from './payout-bank.ts';

/** Asks the provider about a PENDING payout and applies its answer; a transfer it never received is sent again (same reference). */
export class CheckPayoutHandler {
  private readonly deps: PayoutBankDeps;

  constructor(deps: PayoutBankDeps) {
    this.deps = deps;
  }

  async execute(reference: string): Promise<Payout> {
    const p = await this.deps.payouts.find(reference);
    if (!p) throw PayoutErrors.notFound();
    if (p.status !== 'PENDING') return p;
    let r: DisbursementResult;
    try {
      r = await this.deps.provider.status(reference);
    } catch (err) {
      return outcomeUnknown(this.deps, p, err);
    }
    if (r.status === 'FAILED' && r.reason === 'NOT_FOUND') return sendPayout(this.deps, p);
    return applyBankAnswer(this.deps, p, r);
  }
}
