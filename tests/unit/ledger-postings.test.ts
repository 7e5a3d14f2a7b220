import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Money, MAX_MINOR } from '../../src/domain/shared/money.ts';
import { DomainError } from '../../src/domain/shared/domain-error.ts';
import { legsBalance, planPosting, type LockedAccount, type ResolvedLeg } from '../../src/domain/ledger/posting.ts';
import { decideRefund, paymentLegs, refundLegs } from '../../src/domain/ledger/merchant-postings.ts';
import { BI_QRIS_FEE_TABLE, parseFeeTable, refundFeeReversal, roundedShare, splitPayment } from '../../src/domain/merchant/mdr.ts';
import { MERCHANT_CATEGORIES, maskAccountNumber, maskHolderName, validateNewMerchant } from '../../src/domain/merchant/merchant.ts';

const m = (s: string) => Money.parse(s);
const minor = fc.bigInt({ min: 1n, max: 10_000_000_000n }); // up to Rp100,000,000.00
const bps = fc.integer({ min: 0, max: 10_000 });
const category = fc.constantFrom(...MERCHANT_CATEGORIES);
const row = { transactionId: 'PAY-1', type: 'PAYMENT' as const, status: 'SUCCESS' as const };

describe('MDR (Bank Indonesia QRIS table)', () => {
  it('charges each category its rate, MICRO nothing up to Rp500,000 inclusive', () => {
    const fee = (amount: string, c: (typeof MERCHANT_CATEGORIES)[number]) =>
      splitPayment(m(amount), { category: c, feeBps: null }, BI_QRIS_FEE_TABLE).fee.toString();
    expect(fee('100000.00', 'REGULAR')).toBe('700.00');
    expect(fee('100000.00', 'FUEL')).toBe('400.00');
    expect(fee('100000.00', 'PUBLIC_SERVICE')).toBe('400.00');
    expect(fee('100000.00', 'EDUCATION')).toBe('600.00');
    expect(fee('100000.00', 'GOVERNMENT')).toBe('0.00');
    expect(fee('100000.00', 'DONATION')).toBe('0.00');
    expect(fee('500000.00', 'MICRO')).toBe('0.00');
    expect(fee('500000.01', 'MICRO')).toBe('1500.00');
    expect(fee('1000000.00', 'MICRO')).toBe('3000.00');
  });

  it('rounds half up to the sen, in integers only', () => {
    expect(roundedShare(7142n, 70)).toBe(50n); // 49.994 → 50
    expect(roundedShare(7143n, 70)).toBe(50n); // 50.001 → 50
    expect(roundedShare(7850n, 70)).toBe(55n); // 54.95 → 55 (half up)
    expect(roundedShare(7836n, 70)).toBe(55n); // 54.852 → 55
    expect(roundedShare(7821n, 70)).toBe(55n); // 54.747 → 55
    expect(roundedShare(7807n, 70)).toBe(55n); // 54.649 → 55
    expect(roundedShare(7785n, 70)).toBe(54n); // 54.495 → 54
    expect(roundedShare(1n, 70)).toBe(0n);
    expect(roundedShare(MAX_MINOR, 10_000)).toBe(MAX_MINOR);
  });

  it('a per-merchant override beats the category, threshold included', () => {
    expect(splitPayment(m('100.00'), { category: 'MICRO', feeBps: 100 }, BI_QRIS_FEE_TABLE).fee.toString()).toBe('1.00');
    expect(splitPayment(m('100.00'), { category: 'REGULAR', feeBps: 0 }, BI_QRIS_FEE_TABLE).fee.toString()).toBe('0.00');
  });

  it('the table is configurable and refuses nonsense', () => {
    const t = parseFeeTable('REGULAR=50, MICRO=20/100000.00');
    expect(t.REGULAR).toEqual({ bps: 50, freeUpTo: null });
    expect(t.MICRO.bps).toBe(20);
    expect(t.MICRO.freeUpTo!.toString()).toBe('100000.00');
    expect(t.EDUCATION).toEqual(BI_QRIS_FEE_TABLE.EDUCATION);
    for (const bad of ['SHOP=10', 'REGULAR=abc', 'REGULAR=10001', 'REGULAR']) expect(() => parseFeeTable(bad)).toThrow(DomainError);
  });

  it('property: 0 ≤ fee ≤ amount and gross = fee + net, for any amount, category and override', () => {
    fc.assert(
      fc.property(minor, category, fc.option(bps, { nil: null }), (a, c, override) => {
        const s = splitPayment(Money.ofMinor(a), { category: c, feeBps: override }, BI_QRIS_FEE_TABLE);
        expect(s.fee.minor).toBeLessThanOrEqual(a);
        expect(s.fee.minor + s.net.minor).toBe(a);
        expect(s.gross.minor).toBe(a);
      }),
    );
  });
});

describe('planPosting (the ledger rules, pure)', () => {
  const customer = (id: string, balance: bigint, status: LockedAccount['status'] = 'ACTIVE'): LockedAccount => ({
    id,
    userId: 1,
    status,
    balance: Money.ofMinor(balance),
  });

  it("property: a payment's legs sum to zero; the payer never goes below zero; merchant and fee legs are deferred with a zero floor", () => {
    fc.assert(
      fc.property(minor, minor, category, fc.option(bps, { nil: null }), (balance, amount, c, override) => {
        const split = splitPayment(Money.ofMinor(amount), { category: c, feeBps: override }, BI_QRIS_FEE_TABLE);
        const legs = paymentLegs({ payerAccountId: 'a-payer', merchantAccountId: 'b-merchant', split, row });
        expect(legsBalance(legs)).toBe(true);
        const resolved: ResolvedLeg[] = legs.map((l, i) => ({
          accountId: ['a-payer', 'b-merchant', 'c-fees'][i]!,
          kind: 'accountId' in l.account ? 'customer' : 'merchantAccountId' in l.account ? 'merchant' : 'system',
          delta: l.delta,
          rule: l.rule,
          row: l.row,
        }));
        const locked = new Map([['a-payer', customer('a-payer', balance)]]);
        let plan;
        try {
          plan = planPosting(resolved, locked);
        } catch (err) {
          expect((err as DomainError).code).toBe('INSUFFICIENT_FUNDS');
          expect(balance).toBeLessThan(amount);
          return;
        }
        expect(balance).toBeGreaterThanOrEqual(amount);
        expect(plan.decided.every((d) => d.after.minor >= 0n && d.after.minor === d.before.minor + d.delta)).toBe(true);
        expect(plan.journal.reduce((s, j) => s + j.delta, 0n)).toBe(0n);
        expect(plan.deferred.every((d) => d.requires.minBalance >= 0n)).toBe(true);
      }),
    );
  });

  it('refuses a self-transfer, unknown and inactive accounts, and unbalanced legs', () => {
    const legs = (a: string, b: string): ResolvedLeg[] => [
      { accountId: a, kind: 'customer', delta: -100n, rule: 'active' },
      { accountId: b, kind: 'customer', delta: 100n, rule: 'active' },
    ];
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as DomainError).code ?? (e as Error).message;
      }
      return 'none';
    };
    expect(code(() => planPosting(legs('x', 'x'), new Map([['x', customer('x', 1000n)]])))).toBe('SELF_TRANSFER');
    expect(code(() => planPosting(legs('x', 'y'), new Map([['y', customer('y', 0n)]])))).toBe('ACCOUNT_NOT_FOUND');
    expect(code(() => planPosting(legs('x', 'y'), new Map([['x', customer('x', 1000n)]])))).toBe('RECIPIENT_NOT_FOUND');
    expect(
      code(() =>
        planPosting(
          legs('x', 'y'),
          new Map([
            ['x', customer('x', 1000n, 'SUSPENDED')],
            ['y', customer('y', 0n)],
          ]),
        ),
      ),
    ).toBe('ACCOUNT_NOT_ACTIVE');
    expect(
      code(() =>
        planPosting(
          legs('x', 'y'),
          new Map([
            ['x', customer('x', 1000n)],
            ['y', customer('y', 0n, 'CLOSED')],
          ]),
        ),
      ),
    ).toBe('RECIPIENT_NOT_ACTIVE');
    expect(
      code(() =>
        planPosting(
          [
            { accountId: 'x', kind: 'customer', delta: -1n, rule: 'any' },
            { accountId: 'y', kind: 'system', delta: 2n, rule: 'any' },
          ],
          new Map([['x', customer('x', 5n)]]),
        ),
      ),
    ).toMatch(/sum to zero/);
  });

  it('a merchant debit that the conditional update refuses is MERCHANT_INSUFFICIENT_FUNDS; a refused credit MERCHANT_NOT_ACTIVE', () => {
    const plan = planPosting(
      [
        { accountId: 'm', kind: 'merchant', delta: -90n, rule: 'any' },
        { accountId: 'f', kind: 'system', delta: -10n, rule: 'any' },
        { accountId: 'c', kind: 'customer', delta: 100n, rule: 'not_closed' },
      ],
      new Map([['c', customer('c', 0n, 'SUSPENDED')]]),
    );
    expect(plan.deferred.map((d) => [d.accountId, d.rejection.code])).toEqual([
      ['f', 'INSUFFICIENT_FUNDS'],
      ['m', 'MERCHANT_INSUFFICIENT_FUNDS'],
    ]);
    const credit = planPosting(
      [
        { accountId: 'c', kind: 'customer', delta: -5n, rule: 'active' },
        { accountId: 'm', kind: 'merchant', delta: 5n, rule: 'active' },
      ],
      new Map([['c', customer('c', 5n)]]),
    );
    expect(credit.deferred[0]!.rejection.code).toBe('MERCHANT_NOT_ACTIVE');
  });
});

describe('refunds (pure)', () => {
  it('property: refunds in any pieces never exceed what was paid; the fee comes back exactly once, in proportion', () => {
    fc.assert(
      fc.property(
        minor,
        category,
        fc.option(bps, { nil: null }),
        fc.array(fc.bigInt({ min: 1n, max: 10_000_000_000n }), { minLength: 1, maxLength: 8 }),
        (amount, c, override, pieces) => {
          const split = splitPayment(Money.ofMinor(amount), { category: c, feeBps: override }, BI_QRIS_FEE_TABLE);
          let refunded = Money.zero();
          let feeBack = 0n;
          for (const piece of [...pieces, undefined]) {
            let d;
            try {
              d = decideRefund(split, refunded, piece === undefined ? undefined : Money.ofMinor(piece));
            } catch (err) {
              expect(['REFUND_EXCEEDS_PAYMENT', 'TRANSACTION_NOT_REFUNDABLE']).toContain((err as DomainError).code);
              continue;
            }
            expect(d.feeReversed.minor).toBeLessThanOrEqual(d.amount.minor);
            expect(d.fromMerchant.minor + d.feeReversed.minor).toBe(d.amount.minor);
            expect(legsBalance(refundLegs({ payerAccountId: 'p', merchantAccountId: 'm', decision: d, row: { ...row, type: 'REFUND' } }))).toBe(true);
            refunded = refunded.plus(d.amount);
            feeBack += d.feeReversed.minor;
            expect(refunded.minor).toBeLessThanOrEqual(amount);
            expect(feeBack).toBeLessThanOrEqual(split.fee.minor);
          }
          // The final "everything left" refund always succeeds or nothing was left: fully refunded, all fee back.
          expect(refunded.minor).toBe(amount);
          expect(feeBack).toBe(split.fee.minor);
        },
      ),
    );
  });

  it('reverses the fee of a half refund by half', () => {
    expect(refundFeeReversal({ gross: m('100000.00'), fee: m('700.00') }, Money.zero(), m('50000.00')).toString()).toBe('350.00');
  });
});

describe('merchant fields', () => {
  it('masks the settlement account for payers and regulators, and validates new merchants', () => {
    expect(maskAccountNumber('1234567890')).toBe('******7890');
    expect(maskHolderName('Budi Santoso')).toBe('B*** S***');
    expect(() => validateNewMerchant({ code: 'bad code', name: 'x', category: 'REGULAR' })).toThrow(/code/);
    expect(() => validateNewMerchant({ code: 'OK-1', name: 'x', category: 'SHOP' })).toThrow(/category/);
    expect(() => validateNewMerchant({ code: 'OK-1', name: 'x', category: 'REGULAR', feeBps: 10_001 })).toThrow(/fee/);
    expect(validateNewMerchant({ code: ' OK-1 ', name: ' Toko ', category: 'MICRO' })).toMatchObject({
      code: 'OK-1',
      name: 'Toko',
      category: 'MICRO',
      feeBps: null,
    });
  });
});
