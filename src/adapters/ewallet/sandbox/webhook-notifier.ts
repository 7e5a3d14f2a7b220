/**
 * Sends a sandbox's signed notifications to our webhook, the way providers do: asynchronously,
 * retried with backoff until a 2xx (a few attempts), and recorded so tests can wait and inspect.
 */
export interface Delivery {
  url: string;
  body: string;
  /** Last HTTP status, or null when the webhook could not be reached. */
  status: number | null;
  attempts: number;
}

const ATTEMPTS = 4;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class WebhookNotifier {
  readonly deliveries: Delivery[] = [];
  private readonly target: () => string | undefined;
  private readonly sign: (rawBody: string) => Record<string, string>;
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;

  /** `target` is read at send time: the webhook URL may only be known once our server listens. */
  constructor(target: () => string | undefined, sign: (rawBody: string) => Record<string, string>) {
    this.target = target;
    this.sign = sign;
  }

  send(body: unknown): void {
    const url = this.target();
    if (!url || this.stopped) return;
    const text = JSON.stringify(body);
    const d: Delivery = { url, body: text, status: null, attempts: 0 };
    this.deliveries.push(d);
    const p = this.deliver(d).finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  /** Resolves when every delivery started so far has finished (delivered or given up). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  stop(): void {
    this.stopped = true;
  }

  private async deliver(d: Delivery): Promise<void> {
    // Let the answer to the provider call leave first, like a real provider's async notification.
    await sleep(5);
    for (let i = 0; i < ATTEMPTS && !this.stopped; i++) {
      d.attempts += 1;
      try {
        const res = await fetch(d.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...this.sign(d.body) },
          body: d.body,
          signal: AbortSignal.timeout(5000),
        });
        d.status = res.status;
        await res.arrayBuffer();
        if (res.ok) return;
      } catch {
        d.status = null;
      }
      await sleep(100 * 2 ** i);
    }
  }
}
