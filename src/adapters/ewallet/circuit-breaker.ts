import { CommonErrors } from '../../domain/shared/common.errors.ts';

export interface CircuitBreakerOptions {
  /** Consecutive failed calls that open the circuit. */
  failureThreshold: number;
  /** How long the circuit stays open before one trial call is let through (half-open). */
  openMs: number;
  /** Injectable clock, so tests never wait. */
  now?: () => number;
}

type State = 'closed' | 'open' | 'half-open';

/**
 * A small circuit breaker shared by the e-wallet adapters. While the provider keeps failing
 * (timeouts, 5xx, network errors), calls fail fast with PROVIDER_UNAVAILABLE instead of piling up
 * on a provider that does not answer; after `openMs` one trial call decides whether to close it.
 * Business answers (a decline, an unknown phone) are successes for the breaker.
 */
export class CircuitBreaker {
  private readonly threshold: number;
  private readonly openMs: number;
  private readonly now: () => number;
  private failures = 0;
  private openedAt = 0;
  private current: State = 'closed';
  private trialInFlight = false;

  readonly name: string;

  constructor(name: string, opts: CircuitBreakerOptions) {
    this.name = name;
    this.threshold = Math.max(1, opts.failureThreshold);
    this.openMs = opts.openMs;
    this.now = opts.now ?? Date.now;
  }

  get state(): State {
    if (this.current === 'open' && this.now() - this.openedAt >= this.openMs) return 'half-open';
    return this.current;
  }

  /** Runs `fn` unless the circuit is open; `countsAsFailure` says which errors trip it. */
  async run<T>(fn: () => Promise<T>, countsAsFailure: (err: unknown) => boolean): Promise<T> {
    const state = this.state;
    if (state === 'open' || (state === 'half-open' && this.trialInFlight)) {
      throw CommonErrors.providerUnavailable(`${this.name} is unavailable (circuit open)`);
    }
    const trial = state === 'half-open';
    if (trial) this.trialInFlight = true;
    try {
      const result = await fn();
      this.onSuccess();
      return result;
    } catch (err) {
      if (countsAsFailure(err)) this.onFailure(trial);
      else this.onSuccess();
      throw err;
    } finally {
      if (trial) this.trialInFlight = false;
    }
  }

  private onSuccess(): void {
    this.failures = 0;
    this.current = 'closed';
  }

  private onFailure(trial: boolean): void {
    this.failures += 1;
    if (trial || this.failures >= this.threshold) {
      this.current = 'open';
      this.openedAt = this.now();
    }
  }
}
