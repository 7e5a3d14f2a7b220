import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Money } from '../../src/domain/shared/money.ts';
import { DEFAULT_KYC_LIMITS, assertMayReceive, jakartaMonthStart, remaining } from '../../src/domain/ledger/limits.ts';
import { planPosting, type LimitPolicy, type LockedAccount, type ResolvedLeg } from '../../src/domain/ledger/posting.ts';
import type { KycTier } from '../../src/domain/wallet/kyc.ts';

const L = DEFAULT_KYC_LIMITS;
const acct = (id: string, balance: bigint, kycTier: KycTier): LockedAccount => ({ id, userId: 1, status: 'ACTIVE', balance: Money.ofMinor(balance), kycTier });
const codeOf = (f: () => unknown) => {
  try {
    f();
    return null;
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
};

describe("Bank Indonesia's e-money limits (pure rules)", () => {
  it('defaults: Rp2,000,000 / Rp20,000,000 balance; Rp40,000,000 monthly for registered; transfers to others only when registered', () => {
    expect(L.UNREGISTERED.maxBalance).toBe(Money.parse('2000000.00').minor);
    expect(L.REGISTERED.maxBalance).toBe(Money.parse('20000000.00').minor);
    expect(L.REGISTERED.monthlyIncoming).toBe(Money.parse('40000000.00').minor);
    expect([L.UNREGISTERED.transfersToOthers, L.REGISTERED.transfersToOthers]).toEqual([false, true]);
  });

  it('refuses a credit above the balance limit, counting money in flight, and names what remains', () => {
    const zero = { incomingThisMonth: 0n, inFlight: 0n };
    expect(codeOf(() => assertMayReceive('UNREGISTERED', L, 1_500_000_00n, 500_000_00n, zero))).toBeNull();
    expect(codeOf(() => assertMayReceive('UNREGISTERED', L, 1_500_000_00n, 500_000_01n, zero))).toBe('BALANCE_LIMIT_EXCEEDED');
    expect(codeOf(() => assertMayReceive('UNREGISTERED', L, 1_000_000_00n, 600_000_00n, { incomingThisMonth: 0n, inFlight: 500_000_00n }))).toBe(
      'BALANCE_LIMIT_EXCEEDED',
    );
    expect(() => assertMayReceive('UNREGISTERED', L, 1_500_000_00n, 600_000_00n, zero)).toThrow(/2000000\.00 IDR.*500000\.00 IDR more/);
    expect(codeOf(() => assertMayReceive('REGISTERED', L, 0n, 10_000_000_00n, { incomingThisMonth: 35_000_000_00n, inFlight: 0n }))).toBe(
      'MONTHLY_LIMIT_EXCEEDED',
    );
    expect(() => assertMayReceive('REGISTERED', L, 0n, 10_000_000_00n, { incomingThisMonth: 35_000_000_00n, inFlight: 0n })).toThrow(/5000000\.00 IDR remains/);
    expect(remaining('REGISTERED', L, 19_000_000_00n, { incomingThisMonth: 41_000_000_00n, inFlight: 0n })).toEqual({
      balance: 1_000_000_00n,
      monthlyIncoming: 0n,
    });
  });

  it('the calendar month is Asia/Jakarta (UTC+7)', () => {
    expect(jakartaMonthStart(new Date('2026-12-01T20:00:00Z')).toISOString()).toBe('2026-11-30T17:00:00.000Z'); // 03:00 on 2 Dec in Jakarta
    expect(jakartaMonthStart(new Date('2026-11-30T16:59:59Z')).toISOString()).toBe('2026-10-31T17:00:00.000Z'); // 23:59 on 30 Nov in Jakarta
    expect(jakartaMonthStart(new Date('2027-01-01T02:00:00Z')).toISOString()).toBe('2026-12-31T17:00:00.000Z');
  });

  it('property: credits applied one at a time under the lock, in any order and size, never end above either limit', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<KycTier>('UNREGISTERED', 'REGISTERED'),
        fc.array(fc.bigInt({ min: 1n, max: 5_000_000_00n }), { minLength: 1, maxLength: 100 }),
        fc.bigInt({ min: 0n, max: 1_000_000_00n }),
        (tier, amounts, inFlight) => {
          let balance = 0n;
          let incoming = 0n;
          for (const a of amounts) {
            if (codeOf(() => assertMayReceive(tier, L, balance, a, { incomingThisMonth: incoming, inFlight })) === null) {
              balance += a;
              incoming += a;
            }
          }
          return balance + inFlight <= L[tier].maxBalance && incoming <= L[tier].monthlyIncoming;
        },
      ),
    );
  });

  it('in planPosting: new credits are checked, money owed back is not, system and merchant sides have no limits, KYC_REQUIRED for unregistered payers to others', () => {
    const locked = new Map([
      ['a', acct('a', 1_900_000_00n, 'UNREGISTERED')],
      ['b', acct('b', 1_000_000_00n, 'REGISTERED')],
    ]);
    const policy: LimitPolicy = { limits: L, state: new Map() };
    const credit = (rule: ResolvedLeg['rule']): ResolvedLeg[] => [
      { accountId: 'sys', kind: 'system', delta: -200_000_00n, rule: 'any' },
      { accountId: 'a', kind: 'customer', delta: 200_000_00n, rule },
    ];
    expect(codeOf(() => planPosting(credit('active'), locked, policy))).toBe('BALANCE_LIMIT_EXCEEDED');
    expect(codeOf(() => planPosting(credit('active'), locked))).toBeNull();
    expect(codeOf(() => planPosting(credit('not_closed'), locked, policy))).toBeNull();
    expect(codeOf(() => planPosting(credit('any'), locked, policy))).toBeNull();
    const transfer = (from: string, to: string, toOthers: boolean): ResolvedLeg[] => [
      { accountId: from, kind: 'customer', delta: -50_000_00n, rule: 'active', toOthers },
      { accountId: to, kind: to === 'm' ? 'merchant' : 'customer', delta: 50_000_00n, rule: 'active' },
    ];
    expect(codeOf(() => planPosting(transfer('a', 'b', true), locked, policy))).toBe('KYC_REQUIRED');
    expect(codeOf(() => planPosting(transfer('a', 'm', false), locked, policy))).toBeNull(); // paying a merchant
    expect(codeOf(() => planPosting(transfer('b', 'a', true), locked, policy))).toBeNull();
  });
});
