import { Money } from '../shared/money.ts';
import { MERCHANT_CATEGORIES, assertFeeBps, type Merchant, type MerchantCategory } from './merchant.ts';
import { MerchantErrors } from './merchant.errors.ts';

/**
 * The merchant discount rate (MDR) of one category: a rate in basis points (70 = 0.7%) and an
 * amount up to which (inclusive) a payment carries no fee at all.
 */
export interface CategoryRate {
  bps: number;
  freeUpTo: Money | null;
}

export type FeeTable = Record<MerchantCategory, CategoryRate>;

/**
 * Bank Indonesia's QRIS MDR: 0.7% regular merchants; 0.3% micro merchants, 0% for a transaction up
 * to Rp500,000 (since 1 December 2024); 0.4% fuel stations and public-service bodies; 0.6%
 * education; 0% government and donations. The merchant bears it; the payer pays the price.
 */
export const BI_QRIS_FEE_TABLE: FeeTable = {
  REGULAR: { bps: 70, freeUpTo: null },
  MICRO: { bps: 30, freeUpTo: Money.parse('500000.00') },
  FUEL: { bps: 40, freeUpTo: null },
  PUBLIC_SERVICE: { bps: 40, freeUpTo: null },
  EDUCATION: { bps: 60, freeUpTo: null },
  GOVERNMENT: { bps: 0, freeUpTo: null },
  DONATION: { bps: 0, freeUpTo: null },
};

/**
 * The fee table from configuration (MERCHANT_FEE_TABLE): comma-separated `CATEGORY=BPS` or
 * `CATEGORY=BPS/FREE_UP_TO`, each overriding BI's default for that category, e.g.
 * `REGULAR=70,MICRO=30/500000.00`. Empty: BI's table as is.
 */
export function parseFeeTable(text: string | undefined): FeeTable {
  const table: FeeTable = { ...BI_QRIS_FEE_TABLE };
  for (const part of (text ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^([A-Z_]+)=(\d{1,5})(?:\/(\d{1,13}(?:\.\d{1,2})?))?$/.exec(part);
    if (!m || !(MERCHANT_CATEGORIES as readonly string[]).includes(m[1]!)) {
      throw MerchantErrors.invalidFeeTable(
        `fee table entry "${part}": expected CATEGORY=BPS[/FREE_UP_TO] with CATEGORY one of ${MERCHANT_CATEGORIES.join(', ')}`,
      );
    }
    const bps = Number(m[2]);
    assertFeeBps(bps);
    table[m[1] as MerchantCategory] = { bps, freeUpTo: m[3] ? Money.parse(m[3]) : null };
  }
  return table;
}

/** A payment split: what the payer pays (gross), the platform keeps (fee) and the merchant gets (net). */
export interface FeeSplit {
  gross: Money;
  fee: Money;
  net: Money;
  /** The rate applied, in basis points (0 when the amount was under the free threshold). */
  bps: number;
}

/**
 * The rounding rule, in integer minor units only: `fee = ⌊(amount × bps + 5000) / 10000⌋`, i.e.
 * the exact product rounded half up to the nearest sen (0.01). Since bps ≤ 10000 the fee never
 * exceeds the amount; the net is amount − fee, so gross = fee + net exactly.
 */
export function roundedShare(amountMinor: bigint, bps: number): bigint {
  return (amountMinor * BigInt(bps) + 5000n) / 10000n;
}

/** The rate a merchant pays on an amount: its own override first, else its category's. */
export function rateFor(merchant: Pick<Merchant, 'category' | 'feeBps'>, amount: Money, table: FeeTable): number {
  if (merchant.feeBps !== null) return merchant.feeBps;
  const rate = table[merchant.category];
  if (rate.freeUpTo && amount.compare(rate.freeUpTo) <= 0) return 0;
  return rate.bps;
}

export function splitPayment(amount: Money, merchant: Pick<Merchant, 'category' | 'feeBps'>, table: FeeTable): FeeSplit {
  const bps = rateFor(merchant, amount, table);
  const fee = Money.ofMinor(roundedShare(amount.minor, bps));
  return { gross: amount, fee, net: amount.minus(fee), bps };
}

/**
 * The part of a payment's fee a refund gives back: proportional, computed on the cumulative
 * refunded amount so rounding never drifts — after refunds totalling R of a payment of G with fee
 * F, exactly round_half_up(F × R / G) has been reversed; a full refund reverses all of F, and no
 * refund reverses more than its own amount.
 */
export function refundFeeReversal(payment: { gross: Money; fee: Money }, refundedBefore: Money, refund: Money): Money {
  const g = payment.gross.minor;
  if (g === 0n) return Money.zero();
  const cumulative = (refunded: bigint) => (payment.fee.minor * refunded * 2n + g) / (2n * g); // half up
  return Money.ofMinor(cumulative(refundedBefore.minor + refund.minor) - cumulative(refundedBefore.minor));
}
