import { hostname } from 'node:os';
import { loadConfig } from './config.ts';
import { startTracing, TRACING_DISABLED, type Tracing } from '../../adapters/observability/tracing.ts';

/**
 * What each entrypoint calls first: starts tracing when OTEL_EXPORTER_OTLP_ENDPOINT is set, and
 * does nothing otherwise (the embedded default, tests). A configuration error is left for the
 * platform to report with its usual message.
 */
export async function startTracingFromConfig(defaultService: string): Promise<Tracing> {
  let config;
  try {
    config = loadConfig();
  } catch {
    return TRACING_DISABLED;
  }
  if (!config.OTEL_EXPORTER_OTLP_ENDPOINT) return TRACING_DISABLED;
  return startTracing({
    service: config.SERVICE_NAME ?? defaultService,
    endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
    // The pod name in Kubernetes.
    instanceId: hostname(),
  });
}
