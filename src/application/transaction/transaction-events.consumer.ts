import type { Logger } from '../ports/logger.ts';
import type { EventBus, ReceivedMessage, Subscription } from '../ports/event-bus.ts';
import type { HistoryCache, ReportProjection } from '../../domain/transaction/transaction-read.ports.ts';

export interface ConsumerOptions {
  groupId: string;
  topic: string;
  /** Failures of one message before it goes to the dead-letter topic. */
  maxAttempts?: number;
}

export const dlqTopicOf = (topic: string): string => `${topic}.dlq`;

class PoisonMessage extends Error {}

/**
 * Reads transaction-events and keeps the reports' read model and the users' cached pages in step.
 * Offsets are committed by the bus only after `handle` resolves, i.e. after the work is stored.
 * Deduped by event_id in processed_messages, so a redelivery changes nothing. Events whose type it
 * does not know are skipped; a message it can never process (bad JSON, a missing transaction id,
 * or one that keeps failing) goes to `<topic>.dlq` with the reason, and the partition moves on.
 */
export class TransactionEventsConsumer {
  private readonly bus: EventBus;
  private readonly projection: ReportProjection;
  private readonly cache: HistoryCache | null;
  private readonly logger: Logger;
  private readonly opts: Required<ConsumerOptions>;
  private readonly failures = new Map<string, number>();
  private subscription: Subscription | undefined;

  constructor(bus: EventBus, projection: ReportProjection, cache: HistoryCache | null, logger: Logger, opts: ConsumerOptions) {
    this.bus = bus;
    this.projection = projection;
    this.cache = cache;
    this.logger = logger;
    this.opts = { maxAttempts: 5, ...opts };
  }

  async start(): Promise<void> {
    this.subscription = await this.bus.subscribe(this.opts.groupId, this.opts.topic, (m) => this.handle(m));
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
    this.subscription = undefined;
  }

  async handle(message: ReceivedMessage): Promise<void> {
    const where = `${message.topic}/${message.partition}/${message.offset}`;
    try {
      await this.process(message);
      this.failures.delete(where);
    } catch (err) {
      if (err instanceof PoisonMessage) return this.deadLetter(message, err.message);
      const attempts = (this.failures.get(where) ?? 0) + 1;
      this.failures.set(where, attempts);
      if (attempts >= this.opts.maxAttempts) {
        this.failures.delete(where);
        return this.deadLetter(message, `failed ${attempts} times: ${(err as Error).message}`);
      }
      this.logger.warn({ err: (err as Error).message, where, attempts }, 'transaction event failed; it will be retried');
      throw err;
    }
  }

  private async process(message: ReceivedMessage): Promise<void> {
    let envelope: unknown;
    try {
      envelope = JSON.parse(message.value);
    } catch {
      throw new PoisonMessage('value is not JSON');
    }
    const e = envelope as { event_id?: unknown; event_type?: unknown; payload?: { transaction_id?: unknown; user_id?: unknown } };
    if (typeof e !== 'object' || e === null || typeof e.event_id !== 'string' || !e.event_id || e.event_id.length > 100) throw new PoisonMessage('no event_id');
    if (typeof e.event_type !== 'string' || e.event_type.length > 100) throw new PoisonMessage('no event_type');
    if (!e.event_type.startsWith('transaction.')) {
      this.logger.debug({ event_type: e.event_type }, 'ignoring an event type this consumer does not handle');
      return;
    }
    const txId = e.payload?.transaction_id;
    if (typeof txId !== 'string' || !txId || txId.length > 50) throw new PoisonMessage('payload.transaction_id missing or invalid');
    const result = await this.projection.apply(this.opts.groupId, e.event_id, e.event_type, txId);
    const userId = Number(e.payload?.user_id);
    if (result === 'applied' && this.cache && Number.isInteger(userId) && userId > 0) await this.cache.invalidate(userId).catch(() => {});
  }

  private async deadLetter(message: ReceivedMessage, reason: string): Promise<void> {
    this.logger.error(
      { reason, topic: message.topic, partition: message.partition, offset: message.offset },
      'transaction event sent to the dead-letter topic',
    );
    await this.bus.publish(dlqTopicOf(this.opts.topic), [
      {
        key: message.key,
        value: message.value,
        headers: {
          ...(message.headers ?? {}),
          'x-dlq-reason': reason,
          'x-original-topic': message.topic,
          'x-original-partition': String(message.partition),
          'x-original-offset': message.offset,
        },
      },
    ]);
  }
}
