import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { BusMessage, EventBus, ReceivedMessage, Subscription } from '../../application/ports/event-bus.ts';

export interface KafkaOptions {
  brokers: string[];
  clientId: string;
  logger: Logger;
  /**
   * Consumer-group liveness. A consumer that leaves (disconnect on SIGTERM) is replaced at once; one
   * that dies without leaving (SIGKILL, a frozen process) holds its partitions until the broker
   * misses its heartbeats for sessionTimeout, so that bounds the stall of a crash. Defaults 10 s / 1 s.
   */
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
}

/**
 * Kafka through kafkajs. The producer is idempotent (acks from all in-sync replicas, no
 * duplicates on retry); consumers commit an offset only after the handler has stored its work.
 */
export class KafkaJsEventBus implements EventBus {
  private readonly kafka: Kafka;
  private readonly logger: Logger;
  private producer: Producer | undefined;
  private producerReady: Promise<Producer> | undefined;
  private readonly consumers = new Set<Consumer>();
  private readonly sessionTimeout: number;
  private readonly heartbeatInterval: number;

  constructor(opts: KafkaOptions) {
    this.logger = opts.logger;
    this.sessionTimeout = opts.sessionTimeoutMs ?? 10_000;
    this.heartbeatInterval = opts.heartbeatIntervalMs ?? 1_000;
    this.kafka = new Kafka({
      clientId: opts.clientId,
      brokers: opts.brokers,
      connectionTimeout: 3000,
      requestTimeout: 10000,
      retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 5000 },
      logLevel: logLevel.WARN,
      logCreator:
        () =>
        ({ namespace, level, log }) => {
          const { message, ...extra } = log;
          const fn = level <= logLevel.ERROR ? 'error' : level === logLevel.WARN ? 'warn' : 'debug';
          this.logger[fn]({ namespace, ...extra }, `kafka: ${message}`);
        },
    });
  }

  private async getProducer(): Promise<Producer> {
    this.producerReady ??= (async () => {
      const p = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: true });
      await p.connect();
      this.producer = p;
      return p;
    })().catch((err) => {
      this.producerReady = undefined;
      throw err;
    });
    return this.producerReady;
  }

  async publish(topic: string, messages: BusMessage[]): Promise<void> {
    const producer = await this.getProducer();
    await producer.send({ topic, acks: -1, messages: messages.map((m) => ({ key: m.key, value: m.value, headers: m.headers ?? {} })) });
  }

  async subscribe(groupId: string, topic: string, handler: (m: ReceivedMessage) => Promise<void>): Promise<Subscription> {
    await this.ensureTopic(topic);
    const consumer = this.kafka.consumer({
      groupId,
      allowAutoTopicCreation: true,
      sessionTimeout: this.sessionTimeout,
      heartbeatInterval: this.heartbeatInterval,
      // A rebalance waits this long for members to rejoin; a live member rejoins within a heartbeat.
      rebalanceTimeout: Math.max(this.sessionTimeout, 10_000),
    });
    this.consumers.add(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic: t, partition, message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) if (v !== undefined) headers[k] = String(v);
        await handler({ topic: t, partition, offset: message.offset, key: message.key?.toString() ?? '', value: message.value?.toString() ?? '', headers });
        await consumer.commitOffsets([{ topic: t, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
      },
    });
    return {
      stop: async () => {
        await consumer.disconnect();
        this.consumers.delete(consumer);
      },
    };
  }

  /** Creates the topic if it is missing, so a consumer can join before the first message. */
  private async ensureTopic(topic: string): Promise<void> {
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      const existing = await admin.listTopics();
      if (!existing.includes(topic)) await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    } finally {
      await admin.disconnect().catch(() => {});
    }
  }

  async ping(): Promise<void> {
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      await admin.describeCluster();
    } finally {
      await admin.disconnect().catch(() => {});
    }
  }

  async close(): Promise<void> {
    for (const c of this.consumers) await c.disconnect().catch(() => {});
    this.consumers.clear();
    if (this.producer) await this.producer.disconnect().catch(() => {});
    this.producer = undefined;
    this.producerReady = undefined;
  }
}
