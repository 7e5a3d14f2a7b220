import { startTracingFromConfig } from '../shared/start-tracing.ts';

// Tracing starts first: it patches pg, ioredis, kafkajs and koa as they load, so everything else
// is imported after it (a no-op unless OTEL_EXPORTER_OTLP_ENDPOINT is set).
const tracing = await startTracingFromConfig('auth-service');
const { runMain } = await import('../shared/platform.ts');
const { authModule } = await import('./auth.module.ts');

await runMain({ service: 'auth-service', modules: [authModule], onStopped: tracing.shutdown });
