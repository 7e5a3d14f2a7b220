import { ContainerModule } from 'inversify';
import { CORE } from './ids.ts';
import { HttpMetrics } from '../../adapters/http/metrics.ts';
import { registerAuditMetrics } from '../../adapters/observability/audit-metrics.ts';

/** A server's metrics: the HTTP ones, whose registry also holds the workers' and the audit trail's. */
export function metricsModule(): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(CORE.Metrics).toDynamicValue((c) => new HttpMetrics(c.get(CORE.Service)));
    bind(CORE.AuditMetrics).toDynamicValue((c) => registerAuditMetrics(c.get(CORE.Metrics).registry, c.get(CORE.Orm)));
  });
}
