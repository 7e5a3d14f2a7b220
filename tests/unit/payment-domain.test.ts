import { describe, expect, it } from 'vitest';
import { assertTransition, canTransition, isFinal, maskPhone, type LedgerTransaction } from '../../src/domain/ledger/transaction.ts';
import { assertAccountRule, assertStatusChange, settlementAccountOf, type Account } from '../../src/domain/wallet/account.ts';
import { parseIndonesianMobile as normalisePhone } from '../../src/domain/shared/phone.ts';
import { DomainError } from '../../src/domain/shared/domain-error.ts';
import { Money } from '../../src/domain/shared/money.ts';
import { assertTopUpLimits } from '../../src/application/payment/shared/amounts.ts';
import { BalanceCache } from '../../src/application/payment/shared/balance-cache.ts';
import { InMemoryKeyValueStore } from '../../src/adapters/memory/in-memory-key-value-store.ts';
import { amountField, TopUpRequest } from '../../src/adapters/http/payment/payment.requests.ts';
import { jsonNumberOf } from '../../src/adapters/http/json-number.ts';
import { TopUpHandler } from '../../src/application/payment/top-up/top-up.handler.ts';
import type { AccountRepository } from '../../src/domain/wallet/account.repository.ts';
import type { LedgerRepository, Movement, SettleResult } from '../../src/domain/ledger/ledger.repository.ts';
import type { EWalletProvider, TopUpResult } from '../../src/domain/ewallet/ewallet-provider.ts';

const codeOf = (f: () => unknown): string | null => {
  try {
    f();
    return null;
  } catch (e) {
    return (e as DomainError).code;
  }
};

describe('transaction state machine', () => {
  it('PENDING → SUCCESS | FAILED | CANCELLED, and the outcomes are final', () => {
    expect(canTransition('PENDING', 'SUCCESS')).toBe(true);
    expect(canTransition('PENDING', 'FAILED')).toBe(true);
    expect(canTransition('PENDING', 'CANCELLED')).toBe(true);
    for (const s of ['SUCCESS', 'FAILED', 'CANCELLED'] as const) {
      expect(isFinal(s)).toBe(true);
      for (const t of ['PENDING', 'SUCCESS', 'FAILED', 'CANCELLED'] as const) expect(canTransition(s, t)).toBe(false);
    }
    expect(isFinal('PENDING')).toBe(false);
    expect(codeOf(() => assertTransition('SUCCESS', 'FAILED'))).toBe('INVALID_STATUS_TRANSITION');
    expect(codeOf(() => assertTransition('PENDING', 'PENDING'))).toBe('INVALID_STATUS_TRANSITION');
  });
});

describe('account rules', () => {
  it('only ACTIVE accounts pay; refunds reach SUSPENDED ones; releases reach any', () => {
    expect(codeOf(() => assertAccountRule({ status: 'ACTIVE' }, 'active', 'payer'))).toBeNull();
    expect(codeOf(() => assertAccountRule({ status: 'SUSPENDED' }, 'active', 'payer'))).toBe('ACCOUNT_NOT_ACTIVE');
    expect(codeOf(() => assertAccountRule({ status: 'CLOSED' }, 'active', 'payer'))).toBe('ACCOUNT_NOT_ACTIVE');
    expect(codeOf(() => assertAccountRule({ status: 'CLOSED' }, 'active', 'payee'))).toBe('RECIPIENT_NOT_ACTIVE');
    expect(codeOf(() => assertAccountRule({ status: 'SUSPENDED' }, 'not_closed', 'payee'))).toBeNull();
    expect(codeOf(() => assertAccountRule({ status: 'CLOSED' }, 'not_closed', 'payee'))).toBe('RECIPIENT_NOT_ACTIVE');
    expect(codeOf(() => assertAccountRule({ status: 'CLOSED' }, 'any', 'payee'))).toBeNull();
  });

  it('status changes: suspend and reactivate; CLOSED is final', () => {
    expect(codeOf(() => assertStatusChange('ACTIVE', 'SUSPENDED'))).toBeNull();
    expect(codeOf(() => assertStatusChange('SUSPENDED', 'ACTIVE'))).toBeNull();
    expect(codeOf(() => assertStatusChange('SUSPENDED', 'CLOSED'))).toBeNull();
    expect(codeOf(() => assertStatusChange('ACTIVE', 'ACTIVE'))).toBe('ACCOUNT_STATUS_CHANGE_NOT_ALLOWED');
    expect(codeOf(() => assertStatusChange('CLOSED', 'ACTIVE'))).toBe('ACCOUNT_STATUS_CHANGE_NOT_ALLOWED');
  });

  it('maps providers to their settlement accounts', () => {
    expect(settlementAccountOf('GOPAY')).toBe('GOPAY_SETTLEMENT');
    expect(settlementAccountOf('SHOPEE_PAY')).toBe('SHOPEE_PAY_SETTLEMENT');
  });
});

describe('phones', () => {
  it('normalises the accepted forms and refuses others; masks for metadata', () => {
    expect(normalisePhone('081234567890')).toBe('+6281234567890');
    expect(normalisePhone('6281234567890')).toBe('+6281234567890');
    expect(normalisePhone('+62 812-3456-7890')).toBe('+6281234567890');
    expect(normalisePhone('+6221234567')).toBeNull();
    expect(normalisePhone('12345')).toBeNull();
    expect(normalisePhone('alice')).toBeNull();
    expect(maskPhone('+6281234565678')).toBe('+62812****5678');
  });
});

describe('amounts', () => {
  it('parses request amounts to minor units and refuses what the contract refuses', () => {
    // JSON numbers arrive from the body parser as their source text (JsonNumber), never as floats.
    expect(amountField.parse(jsonNumberOf('10000')).toString()).toBe('10000.00');
    expect(amountField.parse('0.1').minor).toBe(10n);
    expect(amountField.parse(jsonNumberOf('0.29')).minor).toBe(29n);
    for (const bad of [
      '1.001',
      '1e3',
      '-1',
      jsonNumberOf('0'),
      '0.00',
      'NaN',
      '',
      jsonNumberOf('1e21'),
      jsonNumberOf('0.29999999999999999'),
      10000,
      '10000000000000.00',
      null,
      true,
      {},
    ]) {
      expect(amountField.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('top-up limits: min 10000.00, max configurable', () => {
    const max = Money.parse('20000000.00');
    expect(codeOf(() => assertTopUpLimits(Money.parse('10000.00'), max))).toBeNull();
    expect(codeOf(() => assertTopUpLimits(Money.parse('9999.99'), max))).toBe('AMOUNT_BELOW_MINIMUM');
    expect(codeOf(() => assertTopUpLimits(Money.parse('20000000.00'), max))).toBeNull();
    expect(codeOf(() => assertTopUpLimits(Money.parse('20000000.01'), max))).toBe('AMOUNT_ABOVE_MAXIMUM');
  });

  it('the top-up request takes any accepted phone form and ignores unknown fields', () => {
    const r = TopUpRequest.parse({ amount: '10000', payment_method: 'GOPAY', phone_number: '0812 3456 7890', balance: '1' });
    expect(r.phone_number).toBe('+6281234567890');
    expect(r).not.toHaveProperty('balance');
  });
});

describe('balance cache', () => {
  it('never serves a balance loaded before an invalidation', async () => {
    const cache = new BalanceCache(new InMemoryKeyValueStore());
    let db = Money.parse('100.00');
    expect((await cache.get(1, async () => ({ balance: db, currency: 'IDR' })))!.balance.toString()).toBe('100.00');
    // A reader loads the old balance, a writer commits and invalidates, then the reader stores it.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    await cache.invalidate([1]);
    const slowReader = cache.get(1, async () => {
      const seen = db;
      await gate;
      return { balance: seen, currency: 'IDR' };
    });
    db = Money.parse('50.00');
    await cache.invalidate([1]);
    release();
    await slowReader;
    expect((await cache.get(1, async () => ({ balance: db, currency: 'IDR' })))!.balance.toString()).toBe('50.00');
  });
});

describe('TopUpHandler with fakes', () => {
  const account: Account = {
    id: 'acc-1',
    userId: 7,
    systemCode: null,
    balance: Money.parse('50000.00'),
    currency: 'IDR',
    status: 'ACTIVE',
    createdAt: new Date(),
    updatedAt: new Date(),
  };
  const row = (status: LedgerTransaction['status']): LedgerTransaction => ({
    id: 'r',
    userId: 7,
    accountId: 'acc-1',
    transactionId: 'TOP-1',
    type: 'TOPUP',
    status,
    amount: Money.parse('10000.00'),
    balanceBefore: Money.parse('50000.00'),
    balanceAfter: Money.parse('40000.00'),
    currency: 'IDR',
    description: null,
    externalReference: null,
    paymentMethod: 'GOPAY',
    metadata: null,
    relatedTransactionId: null,
    createdAt: new Date(),
    updatedAt: new Date(),
  });

  function setup(topUp: () => Promise<TopUpResult>, wallet = true) {
    const calls = { moves: [] as Movement[], settles: [] as string[] };
    const accounts = { findByUserId: async () => account, phoneOf: async () => '+6281234567890' } as unknown as AccountRepository;
    const ledger = {
      move: async (m: Movement) => {
        calls.moves.push(m);
        return { movementId: 'm', fromRow: row('PENDING'), toRow: null };
      },
      settleTopUp: async (_id: string, outcome: 'SUCCESS' | 'FAILED'): Promise<SettleResult> => {
        calls.settles.push(outcome);
        return {
          applied: true,
          transaction: row(outcome),
          release: outcome === 'FAILED' ? { ...row('SUCCESS'), type: 'REFUND', transactionId: 'RFD-1' } : null,
        };
      },
    } as unknown as LedgerRepository;
    const provider = {
      method: 'GOPAY',
      accountInquiry: async () => (wallet ? { phone: '+6281234567890', name: 'X', accountNumber: 'GP1' } : null),
      topUp,
    } as unknown as EWalletProvider;
    const handler = new TopUpHandler({
      accounts,
      ledger,
      providers: { GOPAY: provider, SHOPEE_PAY: provider },
      maxAmount: Money.parse('20000000.00'),
      sendDeadlineMs: 60_000,
    });
    const run = () => handler.execute({ userId: 7, amount: Money.parse('10000.00'), method: 'GOPAY', phone: '+6281234567890' });
    return { calls, run };
  }

  it('SUCCESS → success; decline → TOPUP_DECLINED with a release', async () => {
    const ok = setup(async () => ({ status: 'SUCCESS', providerReference: 'P1' }));
    expect((await ok.run()).kind).toBe('success');
    expect(ok.calls.settles).toEqual(['SUCCESS']);
    const declined = setup(async () => ({ status: 'FAILED', providerReference: 'P2', reason: 'DECLINED' }));
    const o = await declined.run();
    expect(o.kind === 'failed' && o.code).toBe('TOPUP_DECLINED');
    expect(o.kind === 'failed' && o.release?.transactionId).toBe('RFD-1');
  });

  it('a timeout or a 5xx leaves it PENDING (never released on an unknown outcome)', async () => {
    for (const kind of ['timeout', 'bad_gateway'] as const) {
      const s = setup(async () => {
        throw new DomainError('X', kind, 'boom');
      });
      expect((await s.run()).kind).toBe('pending');
      expect(s.calls.settles).toEqual([]);
    }
  });

  it('an open circuit (nothing sent) fails at once: TOPUP_FAILED with the money released', async () => {
    const s = setup(async () => {
      throw new DomainError('PROVIDER_UNAVAILABLE', 'unavailable', 'circuit open');
    });
    const o = await s.run();
    expect(o.kind === 'failed' && o.code).toBe('TOPUP_FAILED');
    expect(s.calls.settles).toEqual(['FAILED']);
  });

  it('no e-wallet for the phone: refused before any debit', async () => {
    const s = setup(async () => ({ status: 'SUCCESS', providerReference: 'P' }), false);
    await expect(s.run()).rejects.toMatchObject({ code: 'EWALLET_NOT_FOUND' });
    expect(s.calls.moves).toEqual([]);
  });
});
