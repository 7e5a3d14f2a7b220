import { Money } from '../shared/money.ts';
import type { FeeSplit } from '../merchant/mdr.ts';
import { refundFeeReversal } from '../merchant/mdr.ts';
import { LedgerErrors } from './ledger.errors.ts';
import type { HistoryRow, Leg } from './ledger.repository.ts';

/**
 * The legs of the movements between payers, merchants and the platform's FEE_REVENUE, decided
 * without I/O (property-tested in tests/unit/ledger-postings.test.ts).
 */

/** A payment: payer −gross, merchant +net, FEE_REVENUE +fee (a zero leg is left out). */
export function paymentLegs(p: { payerAccountId: string; merchantAccountId: string; split: FeeSplit; row: HistoryRow }): Leg[] {
  const legs: Leg[] = [{ account: { accountId: p.payerAccountId }, delta: -p.split.gross.minor, rule: 'active', row: p.row }];
  if (!p.split.net.isZero()) legs.push({ account: { merchantAccountId: p.merchantAccountId }, delta: p.split.net.minor, rule: 'active' });
  if (!p.split.fee.isZero()) legs.push({ account: { system: 'FEE_REVENUE' }, delta: p.split.fee.minor, rule: 'any' });
  return legs;
}

export interface RefundDecision {
  amount: Money;
  /** The part of the payment's fee given back (from FEE_REVENUE). */
  feeReversed: Money;
  /** What the merchant gives back: amount − feeReversed. */
  fromMerchant: Money;
}

/**
 * A refund of a payment of `gross` with `fee`, of which `refundedBefore` was already given back:
 * omitted amount = everything left; never more than is left; the fee reversed proportionally.
 */
export function decideRefund(payment: { gross: Money; fee: Money }, refundedBefore: Money, requested?: Money): RefundDecision {
  const left = payment.gross.minus(refundedBefore);
  if (left.isZero()) throw LedgerErrors.notRefundable('the payment is already fully refunded');
  const amount = requested ?? left;
  if (amount.compare(left) > 0) throw LedgerErrors.refundExceedsPayment(left.toString());
  const feeReversed = refundFeeReversal(payment, refundedBefore, amount);
  return { amount, feeReversed, fromMerchant: amount.minus(feeReversed) };
}

/** A refund: merchant −(amount − fee reversed), FEE_REVENUE −fee reversed, payer +amount (even SUSPENDED; not CLOSED). */
export function refundLegs(r: { payerAccountId: string; merchantAccountId: string; decision: RefundDecision; row: HistoryRow }): Leg[] {
  const legs: Leg[] = [];
  if (!r.decision.fromMerchant.isZero()) legs.push({ account: { merchantAccountId: r.merchantAccountId }, delta: -r.decision.fromMerchant.minor, rule: 'any' });
  if (!r.decision.feeReversed.isZero()) legs.push({ account: { system: 'FEE_REVENUE' }, delta: -r.decision.feeReversed.minor, rule: 'any' });
  legs.push({ account: { accountId: r.payerAccountId }, delta: r.decision.amount.minor, rule: 'not_closed', row: r.row });
  return legs;
}

/** The fee a PAYMENT row carried (metadata.fee); 0 for payments made before merchants had fees. */
export function paymentFee(metadata: Record<string, unknown> | null): Money {
  const fee = metadata?.fee;
  return typeof fee === 'string' ? Money.parse(fee) : Money.zero();
}
