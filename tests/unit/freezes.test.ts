import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Money } from '../../src/domain/shared/money.ts';
import { DomainError } from '../../src/domain/shared/domain-error.ts';
import { DEFAULT_KYC_LIMITS, assertMayReceive } from '../../src/domain/ledger/limits.ts';
import { assertDeferred, deferredRejection, planPosting, type LockedAccount, type ResolvedLeg } from '../../src/domain/ledger/posting.ts';
import { refusalOf } from '../../src/domain/ledger/refusal.ts';
import { FREEZE_LEVELS, freezeApplies, freezeRefuses, levelsRefusing, parseFreeze, type FreezeLevel } from '../../src/domain/wallet/freeze.ts';
import type { AccountRule } from '../../src/domain/wallet/account.ts';
import { paymentLegs, refundLegs } from '../../src/domain/ledger/merchant-postings.ts';
import { payoutLegs, payoutReturnLegs } from '../../src/domain/disbursement/payout.ts';

const acct = (id: string, freeze: FreezeLevel | null, balance = 1_000_000_00n): LockedAccount => ({
  id,
  userId: 1,
  status: 'ACTIVE',
  balance: Money.ofMinor(balance),
  kycTier: 'REGISTERED',
  freeze: freeze && { level: freeze },
});
const errorOf = (f: () => unknown): DomainError | null => {
  try {
    f();
    return null;
  } catch (e) {
    if (!(e instanceof DomainError)) throw e;
    return e;
  }
};

/** A customer-to-customer movement of 100.00 from `a` to `b` under the given rule on each side. */
const move = (fromRule: AccountRule, toRule: AccountRule): ResolvedLeg[] => [
  { accountId: 'a', kind: 'customer', delta: -100_00n, rule: fromRule },
  { accountId: 'b', kind: 'customer', delta: 100_00n, rule: toRule },
];

describe('freezes (pure rule)', () => {
  it('DEBIT refuses what leaves, CREDIT what comes in, ALL both', () => {
    expect(FREEZE_LEVELS.map((l) => [freezeRefuses(l, 'debit'), freezeRefuses(l, 'credit')])).toEqual([
      [true, false],
      [false, true],
      [true, true],
    ]);
    expect(levelsRefusing(-1n)).toEqual(['DEBIT', 'ALL']);
    expect(levelsRefusing(1n)).toEqual(['CREDIT', 'ALL']);
  });

  it("applies to 'active' legs and explicitly freezable ones, never to money owed back or corrections", () => {
    expect(freezeApplies({ rule: 'active' })).toBe(true);
    expect(freezeApplies({ rule: 'not_closed' })).toBe(false);
    expect(freezeApplies({ rule: 'any' })).toBe(false);
    expect(freezeApplies({ rule: 'any', freezable: true })).toBe(true);
    // Where the movements stand: payments and payouts are covered; refunds, payout returns are not.
    const pay = paymentLegs({
      payerAccountId: 'p',
      merchantAccountId: 'm',
      split: { gross: Money.parse('100.00'), fee: Money.parse('1.00'), net: Money.parse('99.00'), bps: 100 },
      row: { transactionId: 't', type: 'PAYMENT', status: 'SUCCESS' },
    });
    expect(pay.filter((l) => 'accountId' in l.account || 'merchantAccountId' in l.account).map(freezeApplies)).toEqual([true, true]);
    const refund = refundLegs({
      payerAccountId: 'p',
      merchantAccountId: 'm',
      decision: { amount: Money.parse('10.00'), feeReversed: Money.parse('0.10'), fromMerchant: Money.parse('9.90') },
      row: { transactionId: 'r', type: 'REFUND', status: 'SUCCESS' },
    });
    expect(refund.filter((l) => !('system' in l.account)).map(freezeApplies)).toEqual([false, false]);
    expect(
      payoutLegs('m', Money.parse('10.00'), Money.zero())
        .filter((l) => 'merchantAccountId' in l.account)
        .map(freezeApplies),
    ).toEqual([true]);
    expect(
      payoutReturnLegs('m', Money.parse('10.00'))
        .filter((l) => 'merchantAccountId' in l.account)
        .map(freezeApplies),
    ).toEqual([false]);
  });

  it('in planPosting: the payer frozen for debits, the payee for credits, each refusal naming the level and the side', () => {
    for (const level of FREEZE_LEVELS) {
      const payerFrozen = errorOf(() =>
        planPosting(
          move('active', 'active'),
          new Map([
            ['a', acct('a', level)],
            ['b', acct('b', null)],
          ]),
        ),
      );
      const payeeFrozen = errorOf(() =>
        planPosting(
          move('active', 'active'),
          new Map([
            ['a', acct('a', null)],
            ['b', acct('b', level)],
          ]),
        ),
      );
      expect(payerFrozen === null).toBe(level === 'CREDIT');
      expect(payeeFrozen === null).toBe(level === 'DEBIT');
      if (payerFrozen)
        expect([payerFrozen.code, payerFrozen.kind, payerFrozen.details?.facts]).toEqual([
          'ACCOUNT_FROZEN',
          'forbidden',
          { rule: 'freeze', level, side: 'payer', owner: 'customer' },
        ]);
      if (payeeFrozen) expect(payeeFrozen.details?.facts).toEqual({ rule: 'freeze', level, side: 'payee', owner: 'customer' });
      // Money owed back and releases reach a frozen account whatever its level.
      expect(
        errorOf(() =>
          planPosting(
            move('any', 'not_closed'),
            new Map([
              ['a', acct('a', level)],
              ['b', acct('b', level)],
            ]),
          ),
        ),
      ).toBeNull();
      expect(
        errorOf(() =>
          planPosting(
            move('any', 'any'),
            new Map([
              ['a', acct('a', level)],
              ['b', acct('b', level)],
            ]),
          ),
        ),
      ).toBeNull();
    }
  });

  it('a refusal is marked for the refusal log with its rule, the frozen account and the amount; the reason never reaches the error', () => {
    const err = errorOf(() =>
      planPosting(
        move('active', 'active'),
        new Map([
          ['a', acct('a', null)],
          ['b', acct('b', 'ALL')],
        ]),
      ),
    )!;
    expect(refusalOf(err)).toEqual({ rule: 'freeze.ALL', code: 'ACCOUNT_FROZEN', accountId: 'b', amountMinor: 100_00n });
    expect(JSON.stringify({ message: err.message, details: err.details })).not.toMatch(/reason/);
    // A limit's refusal is marked likewise (and an insufficient balance is not a counted rule).
    const limit = errorOf(() => assertMayReceive('UNREGISTERED', DEFAULT_KYC_LIMITS, 0n, 3_000_000_00n, { incomingThisMonth: 0n, inFlight: 0n }))!;
    expect(limit.details?.facts).toEqual({ rule: 'balance_limit', tier: 'UNREGISTERED', limit: '2000000.00', remaining: '2000000.00' });
    const poor = errorOf(() =>
      planPosting(
        move('active', 'active'),
        new Map([
          ['a', acct('a', null, 10n)],
          ['b', acct('b', null)],
        ]),
      ),
    )!;
    expect(poor.code).toBe('INSUFFICIENT_FUNDS');
    expect(refusalOf(poor)).toBeUndefined();
  });

  it("a merchant's side asks its conditional statement for the levels that refuse it; deferredRejection names the freeze found", () => {
    const legs: ResolvedLeg[] = [
      { accountId: 'a', kind: 'customer', delta: -100_00n, rule: 'active' },
      { accountId: 'm', kind: 'merchant', delta: 100_00n, rule: 'active' },
    ];
    const [credit] = planPosting(legs, new Map([['a', acct('a', null)]])).deferred;
    expect(credit!.requires.notFrozenAt).toEqual(['CREDIT', 'ALL']);
    expect(deferredRejection(credit!, 'ALL').details?.facts).toEqual({ rule: 'freeze', level: 'ALL', side: 'payee', owner: 'merchant' });
    expect(deferredRejection(credit!, 'DEBIT').code).toBe('MERCHANT_NOT_ACTIVE'); // not a covering level: the status/balance refusal
    expect(deferredRejection(credit!, null).code).toBe('MERCHANT_NOT_ACTIVE');
    // Under group commit the batch holds the merchant's lock and the domain decides the side itself: the same rule.
    const merchant = (level: FreezeLevel | null): LockedAccount => ({ ...acct('m', level), userId: null });
    expect(errorOf(() => assertDeferred(credit!, merchant('CREDIT')))?.details?.facts).toEqual({
      rule: 'freeze',
      level: 'CREDIT',
      side: 'payee',
      owner: 'merchant',
    });
    expect(refusalOf(errorOf(() => assertDeferred(credit!, merchant('ALL')))!)).toEqual({
      rule: 'freeze.ALL',
      code: 'ACCOUNT_FROZEN',
      accountId: 'm',
      amountMinor: 100_00n,
    });
    expect(errorOf(() => assertDeferred(credit!, merchant('DEBIT')))).toBeNull();
    expect(errorOf(() => assertDeferred(credit!, merchant(null)))).toBeNull();
    // The bank's system accounts are never frozen.
    const sys = planPosting(
      [
        { accountId: 's', kind: 'system', delta: -1n, rule: 'any' },
        { accountId: 'a', kind: 'customer', delta: 1n, rule: 'active' },
      ],
      new Map([['a', acct('a', null)]]),
    ).deferred;
    expect(sys[0]!.requires.notFrozenAt).toEqual([]);
  });

  it('property: whatever the levels, a movement passes iff neither covering freeze is set', () => {
    const level = fc.constantFrom<FreezeLevel | null>(null, ...FREEZE_LEVELS);
    fc.assert(
      fc.property(level, level, fc.bigInt({ min: 1n, max: 1_000_000_00n }), (fa, fb, amount) => {
        const legs: ResolvedLeg[] = [
          { accountId: 'a', kind: 'customer', delta: -amount, rule: 'active' },
          { accountId: 'b', kind: 'customer', delta: amount, rule: 'active' },
        ];
        const err = errorOf(() =>
          planPosting(
            legs,
            new Map([
              ['a', acct('a', fa)],
              ['b', acct('b', fb)],
            ]),
          ),
        );
        const blocked = (fa !== null && fa !== 'CREDIT') || (fb !== null && fb !== 'DEBIT');
        return blocked ? err?.code === 'ACCOUNT_FROZEN' : err === null;
      }),
    );
  });

  it('an operator gives a known level and a reason', () => {
    expect(parseFreeze({ level: ' debit ', reason: ' AML alert ' })).toEqual({ level: 'DEBIT', reason: 'AML alert' });
    expect(errorOf(() => parseFreeze({ level: 'PARTIAL', reason: 'x' }))?.code).toBe('INVALID_FREEZE');
    expect(errorOf(() => parseFreeze({ level: 'ALL', reason: '  ' }))?.code).toBe('INVALID_FREEZE');
    expect(errorOf(() => parseFreeze({ level: 'ALL', reason: 'x'.repeat(501) }))?.code).toBe('INVALID_FREEZE');
  });
});
