import { register } from 'node:module';
import { context, propagation, trace } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { KafkaJsInstrumentation } from '@opentelemetry/instrumentation-kafkajs';
import { KoaInstrumentation } from '@opentelemetry/instrumentation-koa';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { createAddHookMessageChannel } from 'import-in-the-middle';

export interface TracingOptions {
  service: string;
  /** OTLP/HTTP base URL (OTEL_EXPORTER_OTLP_ENDPOINT); traces go to `<endpoint>/v1/traces`. */
  endpoint: string;
  instanceId?: string;
}

export interface Tracing {
  enabled: boolean;
  /** Exports what is still buffered and stops; called after the server has drained. */
  shutdown(): Promise<void>;
}

export const TRACING_DISABLED: Tracing = { enabled: false, shutdown: async () => {} };

// Probes and scrapes would drown the real traffic in traces.
const UNTRACED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Starts the OpenTelemetry SDK: spans for incoming and outgoing HTTP, Koa routes, PostgreSQL (pg),
 * Redis (ioredis) and Kafka (kafkajs, with the W3C trace context carried in the message headers
 * from producer to consumer), exported over OTLP/HTTP in batches.
 *
 * Instrumentation patches the libraries as they load, so this must run before pg, ioredis,
 * kafkajs and koa are imported: entrypoints call it first and import the platform afterwards.
 * The ESM loader hook (import-in-the-middle) is registered for exactly the instrumented modules,
 * so `import` of them is patched like `require` is.
 */
export async function startTracing(opts: TracingOptions): Promise<Tracing> {
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);

  const exporter = new OTLPTraceExporter({ url: `${opts.endpoint.replace(/\/+$/, '')}/v1/traces`, timeoutMillis: 5000 });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: opts.service,
      ...(opts.instanceId ? { 'service.instance.id': opts.instanceId } : {}),
    }),
    spanProcessors: [new BatchSpanProcessor({ exporter, maxExportBatchSize: 256, scheduledDelayMillis: 2000 })],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
  trace.setGlobalTracerProvider(provider);

  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => UNTRACED_PATHS.has((req.url ?? '').split('?')[0]!) }),
      new KoaInstrumentation(),
      // Database spans only inside a traced operation (no orphan spans from probes and pollers);
      // SQL text with placeholders only: parameter values (amounts, names) never reach a span.
      new PgInstrumentation({ enhancedDatabaseReporting: false, requireParentSpan: true }),
      // The command name only: arguments can hold token ids, keys and rate-limit subjects.
      new IORedisInstrumentation({ dbStatementSerializer: (command) => command, requireParentSpan: true }),
      new KafkaJsInstrumentation(),
    ],
  });
  await waitForAllMessagesAcknowledged();

  let stopped: Promise<void> | undefined;
  return {
    enabled: true,
    shutdown: () =>
      (stopped ??= (async () => {
        unregister();
        await provider.shutdown();
        trace.disable();
        propagation.disable();
        context.disable();
      })()),
  };
}
