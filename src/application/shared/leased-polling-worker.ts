import type { Logger } from '../ports/logger.ts';
import { nextCheckDelayMs } from '../../domain/ewallet/top-up-finality.ts';

/** What a leased queue hands out: the checks made before this one (for the back-off), and whatever fences its release. */
export interface LeasedClaim {
  checks: number;
}

/**
 * A queue of items shared by every replica (pending top-ups, pending payouts): a replica claims a
 * batch under a lease, and releases each item with the time of its next check.
 */
export interface LeasedQueue<C extends LeasedClaim> {
  claim(opts: { olderThan: Date; limit: number; leaseMs: number }): Promise<C[]>;
  release(claim: C, nextCheckInMs: number): Promise<void>;
}

export interface LeasedPollingOptions {
  /** How often to poll; also the first back-off step of an item that is still unknown. */
  intervalMs: number;
  /** Only items older than this are claimed. */
  olderThanSeconds: number;
  /** How long this replica's claim on a batch lasts. */
  leaseMs: number;
  /** Cap of the back-off between two checks of the same item. */
  backoffMaxMs: number;
  batchSize?: number;
}

/** How a worker names itself and its items in the log. */
export interface LeasedPollingLabels<C> {
  /** The worker, as the log lines begin: 'reconciler', 'payout checker'. */
  name: string;
  /** What it could not do to one item: 'settle a top-up', 'check a payout'. */
  action: string;
  /** The fields naming an item in a log line. */
  fields(claim: C): Record<string, unknown>;
}

/**
 * The loop every leased background worker runs (the top-up reconciler, the payout checker): claim
 * a batch, work on each item with `act`, release each with its next check time (exponential
 * back-off), on a timer between start and stop. What an item's outcome means is `act`'s; this loop
 * only guarantees that a claim never outlives its lease while this replica still holds it.
 */
export class LeasedPollingWorker<C extends LeasedClaim> {
  private readonly queue: LeasedQueue<C>;
  /** Works on one claimed item; true when it brought the item to a final state (runOnce counts those). */
  private readonly act: (claim: C) => Promise<boolean>;
  private readonly opts: LeasedPollingOptions;
  private readonly labels: LeasedPollingLabels<C>;
  private readonly logger: Logger | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = true;

  constructor(queue: LeasedQueue<C>, act: (claim: C) => Promise<boolean>, opts: LeasedPollingOptions, labels: LeasedPollingLabels<C>, logger?: Logger) {
    this.queue = queue;
    this.act = act;
    this.opts = opts;
    this.labels = labels;
    this.logger = logger;
  }

  /** One pass; returns how many items `act` brought to a final state. `now` only moves the age threshold (tests). */
  async runOnce(now = new Date()): Promise<number> {
    const claims = await this.queue.claim({
      olderThan: new Date(now.getTime() - this.opts.olderThanSeconds * 1000),
      limit: this.opts.batchSize ?? 100,
      leaseMs: this.opts.leaseMs,
    });
    let settled = 0;
    // The claims must not outlive their lease while this replica still works on them: past half
    // of it, the rest are handed back (due at once) for the next pass or another replica.
    const handBackAt = Date.now() + this.opts.leaseMs / 2;
    for (const c of claims) {
      if (Date.now() > handBackAt) {
        await this.queue.release(c, 0).catch(() => {});
        continue;
      }
      try {
        if (await this.act(c)) settled++;
      } catch (err) {
        this.logger?.warn({ err: (err as Error).message, ...this.labels.fields(c) }, `${this.labels.name} could not ${this.labels.action}; will retry`);
      } finally {
        await this.queue.release(c, nextCheckDelayMs(c.checks, this.opts.intervalMs, this.opts.backoffMaxMs)).catch((err: unknown) => {
          this.logger?.warn(
            { err: (err as Error).message, ...this.labels.fields(c) },
            `${this.labels.name} could not release its claim; it expires with its lease`,
          );
        });
      }
    }
    return settled;
  }

  start(): void {
    this.stopped = false;
    const tick = () => {
      if (this.stopped) return;
      this.running = this.runOnce()
        .catch((err: unknown) => this.logger?.warn({ err: (err as Error).message }, `${this.labels.name} pass failed`))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.opts.intervalMs);
        });
    };
    this.timer = setTimeout(tick, this.opts.intervalMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
