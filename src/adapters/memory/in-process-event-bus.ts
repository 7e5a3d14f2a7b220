import type { BusMessage, EventBus, ReceivedMessage, Subscription } from '../../application/ports/event-bus.ts';

/**
 * The embedded default's stand-in for Kafka. Messages are kept per topic, in order; each
 * consumer group reads from its own offset and retries a failing message after a pause, so
 * the semantics a handler sees (at least once, in order) match Kafka's.
 */
export class InProcessEventBus implements EventBus {
  private readonly topics = new Map<string, ReceivedMessage[]>();
  private readonly groups = new Map<string, { offset: number; wake: () => void }[]>();
  private closed = false;

  async publish(topic: string, messages: BusMessage[]): Promise<void> {
    const log = this.topics.get(topic) ?? [];
    this.topics.set(topic, log);
    for (const m of messages) log.push({ ...m, topic, partition: 0, offset: String(log.length) });
    for (const g of this.groups.get(topic) ?? []) g.wake();
  }

  async subscribe(_groupId: string, topic: string, handler: (m: ReceivedMessage) => Promise<void>): Promise<Subscription> {
    let running = true;
    let wake: () => void = () => {};
    const state = { offset: 0, wake: () => wake() };
    const list = this.groups.get(topic) ?? [];
    list.push(state);
    this.groups.set(topic, list);
    const loop = (async () => {
      while (running && !this.closed) {
        const log = this.topics.get(topic) ?? [];
        const next = log[state.offset];
        if (!next) {
          await new Promise<void>((resolve) => {
            wake = resolve;
            setTimeout(resolve, 1000).unref();
          });
          continue;
        }
        try {
          await handler(next);
          state.offset += 1;
        } catch {
          await new Promise((r) => setTimeout(r, 500).unref());
        }
      }
    })();
    return {
      stop: async () => {
        running = false;
        wake();
        await loop;
      },
    };
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    this.closed = true;
    for (const list of this.groups.values()) for (const g of list) g.wake();
  }
}
