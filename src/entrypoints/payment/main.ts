import { startTracingFromConfig } from '../shared/start-tracing.ts';

// Tracing starts first: it patches pg, ioredis, kafkajs and koa as they load, so everything else
// is imported after it (a no-op unless OTEL_EXPORTER_OTLP_ENDPOINT is set).
const tracing = await startTracingFromConfig('payment-service');
const { runMain } = await import('../shared/platform.ts');
const { paymentModule } = await import('./payment.module.ts');

await runMain({ service: 'payment-service', modules: [paymentModule], onStopped: tracing.shutdown });
