import { startTracingFromConfig } from '../shared/start-tracing.ts';

// Tracing starts first: it patches pg, ioredis, kafkajs and koa as they load, so everything else
// is imported after it (a no-op unless OTEL_EXPORTER_OTLP_ENDPOINT is set).
const tracing = await startTracingFromConfig('transaction-service');
const { runMain } = await import('../shared/platform.ts');
const { transactionModule } = await import('./transaction.module.ts');

await runMain({ service: 'transaction-service', modules: [transactionModule], onStopped: tracing.shutdown });
