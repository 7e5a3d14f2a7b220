/**
 * Group commit's queue: movements submitted while a batch is being written wait for the next one,
 * which takes up to `max` of them. A lone movement goes at once (the next turn of the event loop,
 * or after `windowMs` when configured), so grouping costs nothing when there is nothing to group.
 * At most `concurrency` batches are in flight; each item's promise settles only after its batch
 * (or its own retry) has committed or failed.
 */
export interface BatcherOptions {
  /** The most movements in one transaction. */
  max: number;
  /** How long a batch waits for company once opened (0: the next turn of the event loop). */
  windowMs: number;
  /** Batches in flight at once (one committing while the next one fills). */
  concurrency: number;
}

export interface Queued<I, R> {
  item: I;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
}

export class Batcher<I, R> {
  private readonly queue: Queued<I, R>[] = [];
  private inFlight = 0;
  private timer: { cancel: () => void } | null = null;
  private readonly run: (batch: Queued<I, R>[]) => Promise<void>;
  private readonly opts: BatcherOptions;

  constructor(run: (batch: Queued<I, R>[]) => Promise<void>, opts: BatcherOptions) {
    this.run = run;
    this.opts = opts;
  }

  submit(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.inFlight >= this.opts.concurrency || this.queue.length === 0) return;
    if (this.queue.length >= this.opts.max) return this.flush();
    if (this.timer) return;
    const go = () => {
      this.timer = null;
      this.flush();
    };
    if (this.opts.windowMs > 0) {
      const t = setTimeout(go, this.opts.windowMs);
      this.timer = { cancel: () => clearTimeout(t) };
    } else {
      const t = setImmediate(go);
      this.timer = { cancel: () => clearImmediate(t) };
    }
  }

  private flush(): void {
    this.timer?.cancel();
    this.timer = null;
    if (this.inFlight >= this.opts.concurrency || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.opts.max);
    this.inFlight++;
    this.run(batch)
      .catch((err: unknown) => {
        for (const q of batch) q.reject(err);
      })
      .finally(() => {
        this.inFlight--;
        this.schedule();
      });
  }
}
