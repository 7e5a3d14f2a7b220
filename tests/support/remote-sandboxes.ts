import { Money } from '../../src/domain/shared/money.ts';
import type { TopUpStatus } from '../../src/domain/ewallet/ewallet-provider.ts';
import type {
  GoPayCredentials,
  SandboxBehaviour,
  SandboxOperation,
  SandboxTopUp,
  SandboxWallet,
  ShopeePayCredentials,
} from '../../src/adapters/ewallet/sandbox/index.ts';

/**
 * What the bank workload and its checks need from the providers' sandboxes: their base URLs and
 * credentials (the statement reconciliation calls them like a payment replica does) and the control
 * handle. In-process sandboxes (`startSandboxes`) answer the control calls at once; sandboxes in a
 * process of their own (`npm run sandbox`, the topology harness) answer them over their control API,
 * so every call is awaited and may fail while that process is down.
 */
type Awaitable<T> = T | Promise<T>;

export interface SandboxControl {
  behave(op: SandboxOperation | '*', behaviour: SandboxBehaviour, times?: number): Awaitable<void>;
  resetBehaviours(): Awaitable<void>;
  topUp(reference: string): Awaitable<SandboxTopUp | null>;
  wallet(phone: string): Awaitable<SandboxWallet | null>;
  registerWallet(phone: string, opts?: { name?: string; balance?: string }): Awaitable<unknown>;
  settle(reference: string, status: 'SUCCESS' | 'FAILED', reason?: string): Awaitable<unknown>;
  /** Sends the top-up's notification again (a late or replayed webhook). */
  notify?: (topUp: SandboxTopUp) => Awaitable<void>;
}

export interface SandboxesUnderTest {
  gopay: { url: string; credentials: GoPayCredentials; control: SandboxControl };
  shopeepay: { url: string; credentials: ShopeePayCredentials; control: SandboxControl };
}

/** The control API of one sandbox in another process (src/adapters/ewallet/sandbox/sandbox-http.ts). */
export class HttpSandboxControl implements SandboxControl {
  private readonly url: string;

  constructor(url: string) {
    this.url = url.replace(/\/+$/, '');
  }

  private async call(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> | null }> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    const json = text ? (JSON.parse(text) as Record<string, unknown>) : null;
    if (res.status >= 400 && res.status !== 404) throw new Error(`sandbox ${method} ${path}: ${res.status} ${text.slice(0, 200)}`);
    return { status: res.status, json };
  }

  async behave(op: SandboxOperation | '*', behaviour: SandboxBehaviour, times?: number): Promise<void> {
    await this.call('POST', '/sandbox/behaviours', { operation: op, ...behaviour, ...(times === undefined ? {} : { times }) });
  }

  async resetBehaviours(): Promise<void> {
    await this.call('DELETE', '/sandbox/behaviours');
  }

  async topUp(reference: string): Promise<SandboxTopUp | null> {
    const r = await this.call('GET', `/sandbox/topups/${encodeURIComponent(reference)}`);
    if (r.status === 404 || !r.json) return null;
    const j = r.json as {
      reference: string;
      phone: string;
      amount: string;
      status: TopUpStatus;
      providerReference: string;
      reason: string | null;
      createdAt: string;
    };
    return {
      reference: j.reference,
      phone: j.phone,
      amount: Money.parse(j.amount),
      status: j.status,
      providerReference: j.providerReference,
      ...(j.reason === null ? {} : { reason: j.reason }),
      createdAt: new Date(j.createdAt),
      updatedAt: new Date(j.createdAt),
    };
  }

  async wallet(phone: string): Promise<SandboxWallet | null> {
    const r = await this.call('GET', `/sandbox/wallets/${encodeURIComponent(phone)}`);
    if (r.status === 404 || !r.json) return null;
    const j = r.json as { phone: string; name: string; accountNumber: string; balance: string; lastUpdated: string };
    return { phone: j.phone, name: j.name, accountNumber: j.accountNumber, balance: Money.parse(j.balance), lastUpdated: new Date(j.lastUpdated) };
  }

  async registerWallet(phone: string, opts: { name?: string; balance?: string } = {}): Promise<void> {
    await this.call('POST', '/sandbox/wallets', { phone, ...opts });
  }

  async settle(reference: string, status: 'SUCCESS' | 'FAILED', reason?: string): Promise<void> {
    await this.call('POST', '/sandbox/settle', { reference, status, ...(reason ? { reason } : {}) });
  }

  notify = async (topUp: SandboxTopUp): Promise<void> => {
    await this.call('POST', '/sandbox/notify', { reference: topUp.reference });
  };
}
