import { ContainerModule } from 'inversify';
import { CORE, EWALLET } from './ids.ts';
import type { EWalletProviders, EWalletWebhookVerifiers } from '../../application/payment/shared/ewallet-providers.ts';
import { InMemoryKeyValueStore } from '../../adapters/memory/in-memory-key-value-store.ts';
import { InProcessEventBus } from '../../adapters/memory/in-process-event-bus.ts';
import { InMemoryRateLimiter } from '../../adapters/memory/in-memory-rate-limiter.ts';

/**
 * The in-memory adapter group, in place of Redis and Kafka: the embedded default, where one
 * process is the whole platform, and the admin CLI without REDIS_URL.
 */
export function memoryModule(): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(CORE.KeyValueStore).toDynamicValue(() => new InMemoryKeyValueStore());
    bind(CORE.RateLimiter).toDynamicValue(() => new InMemoryRateLimiter());
    bind(CORE.EventBus)
      .toDynamicValue(() => new InProcessEventBus())
      .inSingletonScope()
      .onDeactivation((events) => events.close());
    bind(CORE.Readiness).toDynamicValue((c) => {
      const kv = c.get(CORE.KeyValueStore);
      return { name: 'kv (in-memory)', check: () => kv.ping() };
    });
    bind(CORE.Readiness).toDynamicValue((c) => {
      const events = c.get(CORE.EventBus);
      return { name: 'events (in-process)', check: () => events.ping(), optional: true };
    });
  });
}

/**
 * E-wallet providers given by the caller (the fixtures' in-memory fakes) in place of the ewallet
 * group's HTTP adapters; without verifiers, nothing that handles webhooks can be resolved.
 */
export function memoryEWalletModule(providers: EWalletProviders, verifiers?: EWalletWebhookVerifiers): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(EWALLET.State).toDynamicValue(() => ({ adapters: verifiers ? { providers, verifiers } : null, sandboxes: null }));
    bind(EWALLET.Providers).toDynamicValue(() => providers);
    if (verifiers) bind(EWALLET.Verifiers).toDynamicValue(() => verifiers);
  });
}
