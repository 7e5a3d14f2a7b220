import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { changeRule, effectiveOutcome, evaluate, evaluateRule, figuresNeeded, type RiskRule, type RiskSubject } from '../../src/domain/risk/risk-rules.ts';

const rule = (code: RiskRule['code'], params: RiskRule['params'], outcome: RiskRule['outcome'] = 'REVIEW', enabled = true): RiskRule => ({
  code,
  enabled,
  outcome,
  params,
});
const transfer = (amount: bigint, over: Partial<RiskSubject> = {}): RiskSubject => ({
  kind: 'TRANSFER',
  payerAccountId: 'a',
  amount,
  counterpartyAccountId: 'b',
  ...over,
});

describe('VELOCITY', () => {
  const v = rule('VELOCITY', { windowSeconds: 60, maxCount: 3, maxAmount: 1000n });
  it('fires when this movement makes the count or the amount in the window exceed the threshold, never before', () => {
    fc.assert(
      fc.property(fc.nat(10), fc.bigInt({ min: 0n, max: 3000n }), fc.bigInt({ min: 1n, max: 2000n }), (count, sum, amount) => {
        const hit = evaluateRule(v, transfer(amount), { outgoingCount: count, outgoingAmount: sum });
        expect(hit !== null).toBe(count + 1 > 3 || sum + amount > 1000n);
        if (hit) expect(hit.figures).toMatchObject({ count: count + 1, amount_minor: (sum + amount).toString() });
      }),
    );
  });
  it('at the threshold exactly is allowed', () => {
    expect(evaluateRule(v, transfer(400n), { outgoingCount: 2, outgoingAmount: 600n })).toBeNull();
    expect(evaluateRule(v, transfer(401n), { outgoingCount: 2, outgoingAmount: 600n })?.rule).toBe('VELOCITY');
  });
  it('applies to top-ups and payments too', () => {
    expect(evaluateRule(v, transfer(1n, { kind: 'TOPUP', counterpartyAccountId: null }), { outgoingCount: 3, outgoingAmount: 0n })).not.toBeNull();
    expect(evaluateRule(v, transfer(1n, { kind: 'PAYMENT' }), { outgoingCount: 3, outgoingAmount: 0n })).not.toBeNull();
  });
});

describe('NEW_COUNTERPARTY', () => {
  const n = rule('NEW_COUNTERPARTY', { minAmount: 500n }, 'BLOCK');
  it('fires only for an unknown counterparty at or above the amount', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.bigInt({ min: 1n, max: 1000n }), (known, amount) => {
        expect(evaluateRule(n, transfer(amount), { knownCounterparty: known }) !== null).toBe(!known && amount >= 500n);
      }),
    );
  });
  it('does not apply to top-ups', () => {
    expect(evaluateRule(n, transfer(900n, { kind: 'TOPUP', counterpartyAccountId: null }), { knownCounterparty: false })).toBeNull();
  });
});

describe('MULE_INBOUND', () => {
  const m = rule('MULE_INBOUND', { windowSeconds: 600, maxDistinctSenders: 3 });
  it('fires when a new sender makes the distinct senders exceed the threshold; a sender already counted adds none', () => {
    fc.assert(
      fc.property(fc.nat(8), fc.boolean(), (senders, among) => {
        const hit = evaluateRule(m, transfer(1n), { distinctSenders: senders, payerAmongSenders: among });
        expect(hit !== null).toBe(senders + (among ? 0 : 1) > 3);
      }),
    );
  });
  it('applies to transfers only', () => {
    expect(evaluateRule(m, transfer(1n, { kind: 'PAYMENT' }), { distinctSenders: 9, payerAmongSenders: false })).toBeNull();
  });
});

describe('EWALLET_OTHER_PHONE', () => {
  const e = rule('EWALLET_OTHER_PHONE', { minAmount: 100n }, 'BLOCK');
  const topUp = (amount: bigint, ownPhone: boolean): RiskSubject => ({ kind: 'TOPUP', payerAccountId: 'a', amount, counterpartyAccountId: null, ownPhone });
  it("fires for someone else's e-wallet at or above the amount, never for one's own", () => {
    fc.assert(
      fc.property(fc.boolean(), fc.bigInt({ min: 1n, max: 300n }), (own, amount) => {
        expect(evaluateRule(e, topUp(amount, own), {}) !== null).toBe(!own && amount >= 100n);
      }),
    );
  });
});

describe('evaluate', () => {
  const rules = [
    rule('VELOCITY', { maxCount: 1 }, 'REVIEW'),
    rule('NEW_COUNTERPARTY', { minAmount: 1n }, 'BLOCK'),
    rule('MULE_INBOUND', { maxDistinctSenders: 100 }),
  ];
  it('the most severe outcome wins and every rule that fired is kept', () => {
    expect(evaluate(rules, transfer(5n), { outgoingCount: 1, knownCounterparty: false, distinctSenders: 0 })).toMatchObject({
      outcome: 'BLOCK',
      hits: [{ rule: 'VELOCITY' }, { rule: 'NEW_COUNTERPARTY' }],
    });
    expect(evaluate(rules, transfer(5n), { outgoingCount: 1, knownCounterparty: true })).toMatchObject({ outcome: 'REVIEW' });
    expect(evaluate(rules, transfer(5n), { outgoingCount: 0, knownCounterparty: true })).toEqual({ outcome: 'ALLOW', hits: [] });
  });
  it('a disabled rule never fires and its figures are not asked for', () => {
    const off = rules.map((r) => ({ ...r, enabled: false }));
    expect(evaluate(off, transfer(5n), { outgoingCount: 99, knownCounterparty: false })).toEqual({ outcome: 'ALLOW', hits: [] });
    expect(figuresNeeded(off, transfer(5n))).toEqual({});
    expect(figuresNeeded(rules, transfer(5n))).toEqual({ velocityWindowSeconds: 3600, counterparty: true, muleWindowSeconds: 3600 });
  });
  it('a top-up cannot be held: its REVIEW is a BLOCK; other movements keep theirs', () => {
    expect(effectiveOutcome('TOPUP', 'REVIEW')).toBe('BLOCK');
    expect(effectiveOutcome('TRANSFER', 'REVIEW')).toBe('REVIEW');
    expect(effectiveOutcome('TOPUP', 'ALLOW')).toBe('ALLOW');
  });
});

describe('changeRule', () => {
  const v = rule('VELOCITY', { windowSeconds: 60, maxCount: 3 });
  it('changes what is given, keeps the rest', () => {
    expect(changeRule(v, { enabled: false, params: { maxAmount: 500n } })).toEqual({
      ...v,
      enabled: false,
      params: { windowSeconds: 60, maxCount: 3, maxAmount: 500n },
    });
  });
  it('refuses a parameter the rule has not, a non-positive threshold and an unknown outcome', () => {
    expect(changeRule(v, { params: { minAmount: 5n } })).toHaveProperty('error');
    expect(changeRule(v, { params: { maxCount: 0 } })).toHaveProperty('error');
    expect(changeRule(v, { outcome: 'ALLOW' })).toHaveProperty('error');
  });
});
