import { ContainerModule } from 'inversify';
import { CORE } from './ids.ts';
import { KafkaJsEventBus } from '../../adapters/kafka/kafkajs-event-bus.ts';

/** The Kafka adapter group: the event bus the outbox relay publishes to and the consumers read. */
export function kafkaModule(): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(CORE.EventBus)
      .toDynamicValue((c) => {
        const config = c.get(CORE.Config);
        return new KafkaJsEventBus({
          brokers: config.KAFKA_BROKERS!.split(','),
          clientId: config.KAFKA_CLIENT_ID,
          logger: c.get(CORE.Logger),
          sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
          heartbeatIntervalMs: config.KAFKA_HEARTBEAT_INTERVAL_MS,
        });
      })
      .inSingletonScope()
      .onDeactivation((events) => events.close());
    bind(CORE.Readiness).toDynamicValue((c) => {
      const events = c.get(CORE.EventBus);
      // Reported, not required: events wait in the outbox, and a shared broker's restart must not take every replica out of the router at once.
      return { name: 'kafka', check: () => events.ping(), optional: true };
    });
  });
}
