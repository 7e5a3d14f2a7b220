import type { EWalletMethod, TopUpStatus } from '../../../domain/ewallet/ewallet-provider.ts';
import { Money } from '../../../domain/shared/money.ts';
import type { SandboxJournal } from './sandbox-journal.ts';
import { statementWindow } from '../../../domain/reconciliation/reconciliation.ts';
import { EWalletErrors } from '../../../domain/ewallet/ewallet.errors.ts';
import { LedgerErrors } from '../../../domain/ledger/ledger.errors.ts';

/**
 * The state of one simulated provider, shared by its HTTP sandbox and by the in-memory fake:
 * e-wallets per phone, top-ups per reference (a repeated reference is the same top-up), and the
 * behaviour switches a test or an operator sets (slow, hang, 5xx, decline, pending).
 */
export type SandboxOperation = 'token' | 'account' | 'balance' | 'topup' | 'status' | 'statement';

export type SandboxBehaviour =
  /** Answer normally, after a delay. */
  | { kind: 'slow'; delayMs: number }
  /** Do the work, then never answer (the caller times out; the outcome is only visible later). */
  | { kind: 'hang' }
  /** Answer 5xx without doing anything. */
  | { kind: 'error'; status?: number }
  /** A new top-up is refused (FAILED with this reason). */
  | { kind: 'decline'; reason?: string }
  /** A new top-up answers PENDING; settled by `settle()` or, when settleAfterMs is set, by a timer. */
  | { kind: 'pending'; settleTo?: 'SUCCESS' | 'FAILED'; settleAfterMs?: number; reason?: string };

export interface SandboxWallet {
  phone: string;
  name: string;
  accountNumber: string;
  balance: Money;
  lastUpdated: Date;
}

export interface SandboxTopUp {
  reference: string;
  phone: string;
  amount: Money;
  status: TopUpStatus;
  providerReference: string;
  reason?: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface WalletSeed {
  phone: string;
  name: string;
  balance?: string;
}

/** The first is the demo user's phone (src/application/auth/ensure-demo-user), so the embedded default can top up out of the box. */
export const DEFAULT_WALLET_SEEDS: WalletSeed[] = [
  { phone: '+6281200000000', name: 'Demo User', balance: '0.00' },
  { phone: '+6281200000001', name: 'Budi Santoso', balance: '150000.00' },
  { phone: '+6281200000002', name: 'Siti Aminah', balance: '0.00' },
  { phone: '+6281200000003', name: 'Agus Wijaya', balance: '2500000.00' },
];

/**
 * The provider's acceptance window: a top-up request is applied within this long of its arrival,
 * or never (what real providers document, e.g. GoPay's ±5 min X-TIMESTAMP tolerance). Our side
 * treats "not found" as final only after its configured window (GOPAY_ACCEPTANCE_WINDOW_MS…),
 * which must be at least the provider's.
 */
export const DEFAULT_ACCEPTANCE_WINDOW_MS = 5 * 60_000;

/** A wallet may not hold more than this (e-money rules cap balances); a top-up past it is declined. */
const DEFAULT_BALANCE_LIMIT = Money.parse('20000000.00');

/** "+62 812-3456", "0812…", "62812…", "812…" → "+62812…". Unparseable input stays as given (and matches nothing). */
export function canonicalPhone(phone: string): string {
  const digits = phone.replace(/[\s\-().]/g, '');
  if (/^\+62\d{6,14}$/.test(digits)) return digits;
  if (/^62\d{6,14}$/.test(digits)) return `+${digits}`;
  if (/^0\d{6,14}$/.test(digits)) return `+62${digits.slice(1)}`;
  if (/^8\d{7,12}$/.test(digits)) return `+62${digits}`;
  return digits;
}

/**
 * The reserved range: numbers starting +628999 (national 08999…) never have an e-wallet, so "no such
 * e-wallet" (our 422 EWALLET_NOT_FOUND) stays testable. Like providers' own sandboxes, every other
 * well-formed Indonesian mobile number has one, opened with balance 0.00 at first use.
 */
export const NO_EWALLET_PREFIX = '+628999';

/** A well-formed Indonesian mobile number in canonical form (+628 and 7 to 12 more digits, as src/domain/wallet/phone.ts stores them). */
export const isMobileNumber = (canonical: string): boolean => /^\+628\d{7,12}$/.test(canonical);

/** True when this number is in the reserved range (or is no mobile number at all): no wallet, ever. */
export const hasNoEWallet = (phone: string): boolean => {
  const key = canonicalPhone(phone);
  return !isMobileNumber(key) || key.startsWith(NO_EWALLET_PREFIX);
};

interface Rule {
  op: SandboxOperation | '*';
  behaviour: SandboxBehaviour;
  remaining: number;
}

export type SandboxNotify = (topUp: SandboxTopUp) => void;

export class SandboxWallets {
  readonly method: EWalletMethod;
  private readonly wallets = new Map<string, SandboxWallet>();
  private readonly topUps = new Map<string, SandboxTopUp>();
  private readonly rules: Rule[] = [];
  private readonly counts = new Map<SandboxOperation, number>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private readonly balanceLimit: Money;
  private seq = 0;
  private readonly journal: SandboxJournal | undefined;
  /** Called when a top-up reaches SUCCESS or FAILED (the HTTP sandbox sends the webhook). */
  notify: SandboxNotify | undefined;
  /** See DEFAULT_ACCEPTANCE_WINDOW_MS; tests shorten it (or lengthen it to play a provider that breaks it). */
  acceptanceWindowMs: number;

  /** With a journal, the state is loaded from it and every change is written to it before it is answered. */
  constructor(method: EWalletMethod, opts: { seeds?: WalletSeed[]; balanceLimit?: Money; acceptanceWindowMs?: number; journal?: SandboxJournal } = {}) {
    this.method = method;
    this.balanceLimit = opts.balanceLimit ?? DEFAULT_BALANCE_LIMIT;
    this.acceptanceWindowMs = opts.acceptanceWindowMs ?? DEFAULT_ACCEPTANCE_WINDOW_MS;
    this.journal = opts.journal;
    if (this.journal) {
      const state = this.journal.load();
      for (const w of state.wallets) this.wallets.set(w.phone, w);
      for (const t of state.topUps) this.topUps.set(t.reference, t);
    }
    for (const s of opts.seeds ?? DEFAULT_WALLET_SEEDS) if (!this.wallets.has(canonicalPhone(s.phone))) this.registerWallet(s.phone, s);
  }

  /** Opens (or resets) a wallet; a number in the reserved range or no mobile number is refused. */
  registerWallet(phone: string, opts: { name?: string; balance?: string } = {}): SandboxWallet {
    const key = canonicalPhone(phone);
    if (hasNoEWallet(key)) throw EWalletErrors.noEwalletNumber(`${key} is not a mobile number or is in the reserved no-wallet range ${NO_EWALLET_PREFIX}…`);
    const prefix = this.method === 'GOPAY' ? 'GP' : 'SP';
    const wallet: SandboxWallet = {
      phone: key,
      name: opts.name ?? 'Sandbox User',
      accountNumber: `${prefix}${key.replace(/\D/g, '')}`,
      balance: Money.parse(opts.balance ?? '0.00'),
      lastUpdated: new Date(),
    };
    this.wallets.set(key, wallet);
    this.journal?.record({ wallets: [wallet] });
    return wallet;
  }

  /** The wallet of this number, opened now (balance 0.00) on first use; null only in the reserved range. */
  wallet(phone: string): SandboxWallet | null {
    const key = canonicalPhone(phone);
    const known = this.wallets.get(key);
    if (known) return known;
    if (hasNoEWallet(key)) return null;
    return this.registerWallet(key);
  }

  topUp(reference: string): SandboxTopUp | null {
    return this.topUps.get(reference) ?? null;
  }

  /** Applies `behaviour` to the next `times` requests of `op` ('*' = any operation). */
  behave(op: SandboxOperation | '*', behaviour: SandboxBehaviour, times = Number.POSITIVE_INFINITY): void {
    this.rules.push({ op, behaviour, remaining: times });
  }

  /** Back to normal behaviour (wallets and top-ups are kept). */
  resetBehaviours(): void {
    this.rules.length = 0;
  }

  /** Counts the request and returns the behaviour that applies to it, if any. */
  take(op: SandboxOperation): SandboxBehaviour | null {
    this.counts.set(op, (this.counts.get(op) ?? 0) + 1);
    const i = this.rules.findIndex((r) => (r.op === op || r.op === '*') && r.remaining > 0);
    if (i < 0) return null;
    const rule = this.rules[i]!;
    rule.remaining -= 1;
    if (rule.remaining <= 0) this.rules.splice(i, 1);
    return rule.behaviour;
  }

  /** True when a top-up request that arrived at `arrivedAt` (epoch ms) is past the acceptance window: it is dropped, never applied. */
  expired(arrivedAt: number): boolean {
    return Date.now() - arrivedAt > this.acceptanceWindowMs;
  }

  requests(op: SandboxOperation): number {
    return this.counts.get(op) ?? 0;
  }

  /**
   * The top-up itself. A repeated reference returns the first top-up unchanged (whatever the
   * behaviour now says); a repeat with another phone or amount is a conflict (the caller's bug).
   */
  applyTopUp(reference: string, phone: string, amount: Money, behaviour: SandboxBehaviour | null): SandboxTopUp {
    const existing = this.topUps.get(reference);
    if (existing) {
      if (existing.phone !== canonicalPhone(phone) || !existing.amount.equals(amount)) {
        throw EWalletErrors.inconsistentRequest();
      }
      return existing;
    }
    const now = new Date();
    const t: SandboxTopUp = {
      reference,
      phone: canonicalPhone(phone),
      amount,
      status: 'PENDING',
      providerReference: `${this.method === 'GOPAY' ? 'GPT' : 'SPT'}${Date.now().toString(36).toUpperCase()}${(++this.seq).toString().padStart(4, '0')}`,
      createdAt: now,
      updatedAt: now,
    };
    this.topUps.set(reference, t);
    const wallet = this.wallet(t.phone);
    if (!wallet) return this.finish(t, 'FAILED', 'ACCOUNT_NOT_FOUND');
    if (amount.isZero()) return this.finish(t, 'FAILED', 'INVALID_AMOUNT');
    if (behaviour?.kind === 'decline') return this.finish(t, 'FAILED', behaviour.reason ?? 'DECLINED');
    if (behaviour?.kind === 'pending') {
      if (behaviour.settleAfterMs !== undefined) {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          if (t.status === 'PENDING') this.settle(reference, behaviour.settleTo ?? 'SUCCESS', behaviour.reason);
        }, behaviour.settleAfterMs);
        this.timers.add(timer);
      }
      this.journal?.record({ topUps: [t] });
      return t;
    }
    return this.complete(t);
  }

  /** Settles a PENDING top-up (SUCCESS credits the wallet) and notifies. Settled ones stay as they are. */
  settle(reference: string, status: 'SUCCESS' | 'FAILED', reason?: string): SandboxTopUp {
    const t = this.topUps.get(reference);
    if (!t) throw LedgerErrors.transactionNotFound('no such top-up');
    if (t.status !== 'PENDING') return t;
    return status === 'SUCCESS' ? this.complete(t) : this.finish(t, 'FAILED', reason ?? 'DECLINED');
  }

  /** Top-ups created on `date` (a Jakarta day), oldest first: the daily statement's lines. */
  statement(date: string): SandboxTopUp[] {
    const { from, to } = statementWindow(date);
    return [...this.topUps.values()].filter((t) => t.createdAt >= from && t.createdAt < to).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  }

  /**
   * Faults at the provider, for reconciliation tests: a top-up we never sent (`inject`), one the
   * provider lost (`forget`), and one whose record it changed (`tamper`: amount or status, no
   * notification, the wallet untouched — an operator's mistake at the provider).
   */
  inject(reference: string, phone: string, amount: Money, status: 'SUCCESS' | 'FAILED'): SandboxTopUp {
    if (this.topUps.has(reference)) throw EWalletErrors.inconsistentRequest();
    return this.applyTopUp(reference, phone, amount, status === 'FAILED' ? { kind: 'decline', reason: 'DECLINED' } : null);
  }

  forget(reference: string): void {
    if (!this.topUps.delete(reference)) throw LedgerErrors.transactionNotFound('no such top-up');
    this.journal?.record({ forget: [reference] });
  }

  tamper(reference: string, change: { amount?: Money; status?: TopUpStatus }): SandboxTopUp {
    const t = this.topUps.get(reference);
    if (!t) throw LedgerErrors.transactionNotFound('no such top-up');
    if (change.amount) t.amount = change.amount;
    if (change.status) {
      t.status = change.status;
      if (change.status === 'FAILED') t.reason ??= 'DECLINED';
    }
    t.updatedAt = new Date();
    this.journal?.record({ topUps: [t] });
    return t;
  }

  /** Stops pending settle timers (sandbox shutdown). */
  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private complete(t: SandboxTopUp): SandboxTopUp {
    const wallet = this.wallet(t.phone);
    if (!wallet) return this.finish(t, 'FAILED', 'ACCOUNT_NOT_FOUND');
    const after = wallet.balance.plus(t.amount);
    if (after.compare(this.balanceLimit) > 0) return this.finish(t, 'FAILED', 'BALANCE_LIMIT_EXCEEDED');
    wallet.balance = after;
    wallet.lastUpdated = new Date();
    return this.finish(t, 'SUCCESS', undefined, wallet);
  }

  /** `credited`: the wallet this SUCCESS credited, journaled in the same line as the top-up. */
  private finish(t: SandboxTopUp, status: 'SUCCESS' | 'FAILED', reason?: string, credited?: SandboxWallet): SandboxTopUp {
    t.status = status;
    if (reason !== undefined) t.reason = reason;
    t.updatedAt = new Date();
    this.journal?.record({ topUps: [t], wallets: credited ? [credited] : [] });
    this.notify?.(t);
    return t;
  }
}
