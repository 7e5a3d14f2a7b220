import type { Logger } from '../ports/logger.ts';
import type { DomainError } from '../../domain/shared/domain-error.ts';
import type { DisbursementProvider, DisbursementResult } from '../../domain/disbursement/disbursement-provider.ts';
import type { Payout } from '../../domain/disbursement/payout.ts';
import type { PayoutRepository } from '../../domain/disbursement/payout.repository.ts';

/** What the payout use cases need to ask the bank and record its answer. */
export interface PayoutBankDeps {
  payouts: PayoutRepository;
  provider: DisbursementProvider;
  logger?: Logger;
}

/**
 * The bank's side of a payout, shared by the use cases that pay out (PayoutMerchantHandler) and
 * that check (CheckPayoutHandler): the finality rules live here once. The money already left the
 * merchant's account; SUCCESS keeps it out, FAILED returns it exactly once, and anything we do
 * not know leaves the payout PENDING.
 */

/** Sends a PENDING payout's transfer (again, under the same reference) and applies the answer. */
export async function sendPayout(d: PayoutBankDeps, p: Payout): Promise<Payout> {
  if (p.status !== 'PENDING') return p;
  let r: DisbursementResult;
  try {
    r = await d.provider.transfer({
      reference: p.reference,
      bankCode: p.bankAccount.bankCode,
      accountNumber: p.bankAccount.accountNumber,
      holderName: p.bankAccount.holderName,
      amount: p.amount,
    });
  } catch (err) {
    return outcomeUnknown(d, p, err);
  }
  return applyBankAnswer(d, p, r);
}

/** Records the bank's final answer; a pending one leaves the payout as it is. */
export async function applyBankAnswer(d: PayoutBankDeps, p: Payout, r: DisbursementResult): Promise<Payout> {
  if (r.status === 'SUCCESS') return (await d.payouts.markSucceeded(p.reference, r.providerReference)).payout;
  if (r.status === 'FAILED') return (await d.payouts.markFailed(p.reference, r.reason ?? 'FAILED', r.providerReference)).payout;
  return p;
}

/** A timeout, 5xx or unreachable bank: the payout stays PENDING for the checker; any other error is thrown. */
export function outcomeUnknown(d: PayoutBankDeps, p: Payout, err: unknown): Payout {
  const code = (err as DomainError).code;
  if (!['PROVIDER_TIMEOUT', 'PROVIDER_ERROR', 'PROVIDER_UNAVAILABLE'].includes(code)) throw err;
  d.logger?.warn({ reference: p.reference, code }, 'payout outcome unknown: left PENDING for payout-check');
  return p;
}
