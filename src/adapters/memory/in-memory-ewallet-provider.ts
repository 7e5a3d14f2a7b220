import type {
  EWalletAccount,
  EWalletBalance,
  EWalletMethod,
  EWalletNotification,
  EWalletProvider,
  StatementLine,
  TopUpCallLimits,
  TopUpInquiry,
  TopUpResult,
} from '../../domain/ewallet/ewallet-provider.ts';
import { parseStatementDate } from '../../domain/reconciliation/reconciliation.ts';
import type { Money } from '../../domain/shared/money.ts';
import type { CircuitBreaker } from '../ewallet/circuit-breaker.ts';
import { DEFAULT_CALL_OPTIONS, type ProviderCallOptions, ProviderCaller, ProviderError } from '../ewallet/provider-http.ts';
import { type SandboxOperation, type SandboxTopUp, SandboxWallets, type WalletSeed } from '../ewallet/sandbox/sandbox-wallets.ts';
import { EWalletErrors } from '../../domain/ewallet/ewallet.errors.ts';

export interface InMemoryEWalletOptions extends Partial<ProviderCallOptions> {
  seeds?: WalletSeed[];
  /** Share a wallet book between several fakes (its notifications then go where its owner says). */
  control?: SandboxWallets;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The provider without HTTP, for fast tests: the same wallet book and behaviour switches as the
 * sandboxes (`control`), the same errors as the HTTP adapters (a "hang" does the work and then
 * throws PROVIDER_TIMEOUT), the same retries (no backoff by default) and circuit breaker. Final statuses are pushed to `notifications`
 * (and to `onNotification`), standing in for the provider's webhook.
 */
export class InMemoryEWalletProvider implements EWalletProvider {
  readonly method: EWalletMethod;
  readonly control: SandboxWallets;
  private readonly caller: ProviderCaller;
  readonly notifications: EWalletNotification[] = [];
  onNotification: ((n: EWalletNotification) => void) | undefined;

  constructor(method: EWalletMethod, opts: InMemoryEWalletOptions = {}) {
    this.method = method;
    this.control = opts.control ?? new SandboxWallets(method, { seeds: opts.seeds });
    if (!opts.control) this.control.notify = (t) => this.notify(t);
    this.caller = new ProviderCaller(`in-memory ${method}`, { ...DEFAULT_CALL_OPTIONS, backoffMs: 0, ...opts });
  }

  get breaker(): CircuitBreaker {
    return this.caller.breaker;
  }

  accountInquiry(phone: string): Promise<EWalletAccount | null> {
    return this.run('account', () => {
      const w = this.control.wallet(phone);
      return w ? { phone: w.phone, name: w.name, accountNumber: w.accountNumber } : null;
    });
  }

  balanceInquiry(phone: string): Promise<EWalletBalance> {
    return this.run('balance', () => {
      const w = this.control.wallet(phone);
      if (!w) throw EWalletErrors.ewalletAccountNotFound('no e-wallet for this phone');
      return { balance: w.balance, currency: 'IDR', accountNumber: w.accountNumber, lastUpdated: new Date(w.lastUpdated) };
    });
  }

  topUp(req: { reference: string; phone: string; amount: Money }, limits: TopUpCallLimits = {}): Promise<TopUpResult> {
    return this.run('topup', (b) => result(this.control.applyTopUp(req.reference, req.phone, req.amount, b)), limits.startBy);
  }

  topUpStatus(reference: string): Promise<TopUpInquiry> {
    return this.run('status', (): TopUpInquiry => {
      const t = this.control.topUp(reference);
      return t ? result(t) : { status: 'NOT_FOUND', providerReference: null };
    });
  }

  statement(date: string): Promise<StatementLine[]> {
    return this.run('statement', () => this.control.statement(parseStatementDate(date)).map(statementLine));
  }

  private run<T>(op: SandboxOperation, work: (b: ReturnType<SandboxWallets['take']>) => T, startBy?: number): Promise<T> {
    return this.caller.call(
      op,
      true,
      async () => {
        const b = this.control.take(op);
        const arrivedAt = Date.now();
        if (b?.kind === 'slow') await sleep(b.delayMs);
        if (op === 'topup' && this.control.expired(arrivedAt))
          throw new ProviderError('PROVIDER_ERROR', `${this.method} dropped the request (acceptance window)`, true);
        if (b?.kind === 'error') throw new ProviderError('PROVIDER_ERROR', `${this.method} answered ${b.status ?? 500}`, true);
        const value = work(b);
        if (b?.kind === 'hang') throw new ProviderError('PROVIDER_TIMEOUT', `${this.method} did not answer in time`, true);
        return value;
      },
      startBy,
    );
  }

  private notify(t: SandboxTopUp): void {
    const n: EWalletNotification = { reference: t.reference, status: t.status, providerReference: t.providerReference };
    if (t.reason !== undefined) n.reason = t.reason;
    this.notifications.push(n);
    this.onNotification?.(n);
  }
}

function result(t: SandboxTopUp): TopUpResult {
  const r: TopUpResult = { status: t.status, providerReference: t.providerReference };
  if (t.status === 'FAILED') r.reason = t.reason ?? 'DECLINED';
  return r;
}

function statementLine(t: SandboxTopUp): StatementLine {
  const line: StatementLine = {
    reference: t.reference,
    providerReference: t.providerReference,
    amount: t.amount,
    status: t.status,
    createdAt: new Date(t.createdAt),
    updatedAt: new Date(t.updatedAt),
  };
  if (t.status === 'FAILED') line.reason = t.reason ?? 'DECLINED';
  return line;
}
