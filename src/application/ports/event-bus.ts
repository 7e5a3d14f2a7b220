/** A message on a topic: the key orders messages (per account), the value is JSON text. */
export interface BusMessage {
  key: string;
  value: string;
  headers?: Record<string, string>;
}

export interface ReceivedMessage extends BusMessage {
  topic: string;
  partition: number;
  offset: string;
}

/**
 * Carries events between deployments: Kafka in production and tests, an in-process bus for the
 * embedded default. A handler that throws is retried by the subscription; handlers must be idempotent.
 */
export interface EventBus {
  publish(topic: string, messages: BusMessage[]): Promise<void>;
  subscribe(groupId: string, topic: string, handler: (message: ReceivedMessage) => Promise<void>): Promise<Subscription>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface Subscription {
  stop(): Promise<void>;
}
