import type { AdminCommand } from '../cli.ts';
import { adminOf, dateFlag, intFlag, optionalFlag, notFound } from './regulator-cli.ts';
import { PostgresAccessLogReader } from '../../../adapters/persistence/transaction/postgres-access-log.ts';

export const accessLogsCommands: AdminCommand[] = [
  {
    name: 'access-logs query',
    summary: "read regulators' access logs, newest first",
    usage: 'access-logs query [--service NAME|ID] [--status 429] [--from ISO] [--to ISO] [--limit 100]',
    async run(ctx) {
      const service = optionalFlag(ctx.flags, 'service');
      let serviceId: string | undefined;
      if (service)
        serviceId =
          (await adminOf(ctx).listServices.execute()).find((s) => s.id === service || s.company.toLowerCase() === service.toLowerCase())?.id ??
          notFound(`no external service "${service}"`);
      const rows = await new PostgresAccessLogReader(ctx.orm).query({
        serviceId,
        status: intFlag(ctx.flags, 'status', 100, 599),
        from: dateFlag(ctx.flags, 'from'),
        to: dateFlag(ctx.flags, 'to'),
        limit: intFlag(ctx.flags, 'limit', 1, 10_000) ?? 100,
      });
      const json = rows.map((r) => ({
        id: r.id,
        at: r.at.toISOString(),
        service: r.company,
        external_service_id: r.externalServiceId,
        api_key_id: r.apiKeyId,
        key_prefix: r.keyPrefix,
        method: r.method,
        endpoint: r.endpoint,
        status: r.status,
        error: r.errorCode,
        duration_ms: r.durationMs,
        ip_address: r.ipAddress,
        user_agent: r.userAgent,
        request_id: r.requestId,
      }));
      ctx.print(
        json,
        json
          .map(
            (r) => `${r.at}  ${String(r.service ?? '-').padEnd(15)} ${r.status} ${r.method} ${r.endpoint}  ${r.error ?? ''} ${r.duration_ms}ms ${r.ip_address}`,
          )
          .join('\n') || 'no access logs',
      );
    },
  },
];
