import type { Logger } from 'pino';
import { DomainError } from '../../domain/shared/domain-error.ts';
import { CircuitBreaker } from './circuit-breaker.ts';

/**
 * What both e-wallet adapters share: one HTTP exchange with a deadline, bounded retries with
 * exponential backoff for idempotent calls, and the circuit breaker around the whole call.
 */
export interface ProviderCallOptions {
  /** Deadline of one HTTP attempt. */
  timeoutMs: number;
  /** Extra attempts after the first, only for idempotent calls and transient failures. */
  retries: number;
  /** First backoff delay; doubled each retry, with jitter. */
  backoffMs: number;
  circuitFailureThreshold: number;
  circuitOpenMs: number;
  /** Injectable clock for the breaker (tests). */
  now?: () => number;
}

export const DEFAULT_CALL_OPTIONS: ProviderCallOptions = {
  timeoutMs: 5000,
  retries: 2,
  backoffMs: 200,
  circuitFailureThreshold: 5,
  circuitOpenMs: 30_000,
};

/** A provider failure; `transient` ones (timeouts, 5xx, network) are retried and trip the breaker. */
export class ProviderError extends DomainError {
  readonly transient: boolean;
  constructor(code: 'PROVIDER_TIMEOUT' | 'PROVIDER_ERROR', message: string, transient: boolean) {
    super(code, code === 'PROVIDER_TIMEOUT' ? 'timeout' : 'bad_gateway', message);
    this.transient = transient;
  }
}

export const isTransient = (err: unknown): boolean => err instanceof ProviderError && err.transient;

export interface HttpAnswer {
  status: number;
  /** Parsed JSON body; undefined when the body was empty. */
  body: unknown;
}

/** One POST of an already-serialised JSON body, with a deadline. Never retries by itself. */
export async function postJson(url: string, headers: Record<string, string>, bodyText: string, timeoutMs: number): Promise<HttpAnswer> {
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      body: bodyText,
      signal: AbortSignal.timeout(timeoutMs),
    });
    text = await res.text();
  } catch (err) {
    throw transportError(err, url);
  }
  let body: unknown;
  if (text.length > 0) {
    try {
      body = JSON.parse(text);
    } catch {
      throw new ProviderError('PROVIDER_ERROR', `provider answered ${res.status} with a body that is not JSON`, res.status >= 500);
    }
  }
  return { status: res.status, body };
}

export function transportError(err: unknown, url: string): ProviderError {
  const e = err as { name?: string; cause?: { code?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') {
    return new ProviderError('PROVIDER_TIMEOUT', `provider did not answer in time (${new URL(url).pathname})`, true);
  }
  // Refused: the request never reached the provider, so nothing happened there.
  if (e?.cause?.code === 'ECONNREFUSED') return new ProviderError('PROVIDER_ERROR', 'provider refused the connection', true);
  // Reset or broken mid-request: the provider may or may not have acted, the outcome is unknown.
  return new ProviderError('PROVIDER_TIMEOUT', `provider connection failed (${e?.cause?.code ?? e?.name ?? 'unknown'})`, true);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs calls through the breaker and, when `idempotent`, retries transient failures. */
export class ProviderCaller {
  readonly breaker: CircuitBreaker;
  private readonly opts: ProviderCallOptions;
  private readonly logger: Logger | undefined;

  constructor(name: string, opts: ProviderCallOptions, logger?: Logger) {
    this.opts = opts;
    this.logger = logger;
    this.breaker = new CircuitBreaker(name, { failureThreshold: opts.circuitFailureThreshold, openMs: opts.circuitOpenMs, now: opts.now });
  }

  get timeoutMs(): number {
    return this.opts.timeoutMs;
  }

  /**
   * `startBy` (epoch ms) is the send fence of a top-up (src/domain/ewallet/top-up-finality.ts): no
   * attempt starts after it, so nothing we send can reach the provider after the reconciler may
   * have judged the top-up lost. A call stopped by the fence has an unknown outcome (a timeout).
   */
  call<T>(operation: string, idempotent: boolean, attempt: () => Promise<T>, startBy?: number): Promise<T> {
    return this.breaker.run(async () => {
      const maxAttempts = idempotent ? 1 + Math.max(0, this.opts.retries) : 1;
      let last: unknown;
      for (let i = 1; ; i++) {
        if (startBy !== undefined && Date.now() > startBy) {
          this.logger?.warn({ provider: this.breaker.name, operation, attempts: i - 1 }, 'e-wallet provider call stopped by its send deadline');
          throw last ?? new ProviderError('PROVIDER_TIMEOUT', `${operation} not sent: its send deadline has passed`, false);
        }
        try {
          return await attempt();
        } catch (err) {
          last = err;
          if (i >= maxAttempts || !isTransient(err)) {
            this.logger?.warn({ provider: this.breaker.name, operation, attempts: i, code: (err as DomainError).code }, 'e-wallet provider call failed');
            throw err;
          }
          const delay = this.opts.backoffMs * 2 ** (i - 1);
          await sleep(delay / 2 + Math.random() * (delay / 2));
        }
      }
    }, isTransient);
  }
}
