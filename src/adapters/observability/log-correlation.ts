import { context, isSpanContextValid, trace } from '@opentelemetry/api';

/**
 * A pino mixin: every log line written while a span is active carries its trace and span ids, so
 * Loki lines link to Tempo traces. Without the SDK (no OTLP endpoint) there is never an active
 * span and the mixin adds nothing.
 */
export function traceContextMixin(): Record<string, string> {
  const span = trace.getSpan(context.active());
  if (!span) return {};
  const sc = span.spanContext();
  if (!isSpanContextValid(sc)) return {};
  return { trace_id: sc.traceId, span_id: sc.spanId };
}
