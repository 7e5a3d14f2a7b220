import type { Logger } from 'pino';
import { HTTP_METHODS, type AccessLogEntry, type HttpMethod } from '../../../domain/regulator/access-log.ts';
import { ApiAccessLogSchema } from '../schemas/index.ts';
import type { AccessLogFilter, AccessLogReader, AccessLogRow, AccessLogSink } from '../../../domain/regulator/regulator.ports.ts';
import type { Orm } from '../orm.ts';
import { query, toDate } from './sql.ts';

const isHttpMethod = (m: string): m is HttpMethod => (HTTP_METHODS as readonly string[]).includes(m);

export interface BufferedSinkOptions {
  flushIntervalMs?: number;
  batchSize?: number;
  /** Beyond this many unwritten entries (database down for long), the oldest are dropped and counted in the log. */
  maxBuffered?: number;
}

/**
 * Writes regulator access logs in batches off the request path: `record` only appends to a
 * buffer; a timer (or a full batch) writes it with one multi-row insert. A failed write keeps the
 * entries for the next attempt; `flush` (called on shutdown) writes everything left.
 */
export class BufferedPostgresAccessLogSink implements AccessLogSink {
  private readonly orm: Orm;
  private readonly logger: Logger;
  private readonly opts: Required<BufferedSinkOptions>;
  private buffer: AccessLogEntry[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(orm: Orm, logger: Logger, opts: BufferedSinkOptions = {}) {
    this.orm = orm;
    this.logger = logger;
    this.opts = { flushIntervalMs: 250, batchSize: 200, maxBuffered: 50_000, ...opts };
  }

  record(entry: AccessLogEntry): void {
    this.buffer.push(entry);
    if (this.buffer.length > this.opts.maxBuffered) {
      const dropped = this.buffer.splice(0, this.buffer.length - this.opts.maxBuffered);
      this.logger.error({ dropped: dropped.length }, 'access log buffer full: oldest entries dropped');
    }
    if (this.buffer.length >= this.opts.batchSize) void this.flush();
    else
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        void this.flush();
      }, this.opts.flushIntervalMs).unref();
  }

  /** Writes every buffered entry; resolves once they are stored (or kept for a retry after an error). */
  flush(): Promise<void> {
    this.writing = this.writing.then(async () => {
      while (this.buffer.length) {
        const batch = this.buffer.splice(0, this.opts.batchSize);
        try {
          await this.insert(batch);
        } catch (err) {
          this.buffer.unshift(...batch);
          this.logger.warn({ err: (err as Error).message, pending: this.buffer.length }, 'access log write failed; will retry');
          this.timer ??= setTimeout(() => {
            this.timer = undefined;
            void this.flush();
          }, 1000).unref();
          return;
        }
      }
    });
    return this.writing;
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  private async insert(batch: AccessLogEntry[]): Promise<void> {
    await this.orm.em
      .fork()
      .createQueryBuilder(ApiAccessLogSchema)
      .insert(
        batch.map((e) => ({
          externalServiceId: e.externalServiceId,
          apiKeyId: e.apiKeyId,
          endpoint: e.endpoint.slice(0, 255),
          httpMethod: isHttpMethod(e.method) ? e.method : null,
          ipAddress: e.ipAddress,
          userAgent: e.userAgent?.slice(0, 1000) ?? null,
          responseStatus: e.status,
          durationMs: e.durationMs,
          errorCode: e.errorCode?.slice(0, 64) ?? null,
          requestId: e.requestId?.slice(0, 128) ?? null,
          createdAt: e.at,
        })),
      )
      .execute();
    // Keys' last use, from the same batch: one statement per batch, never one per request.
    const lastUse = new Map<string, Date>();
    for (const e of batch) if (e.apiKeyId && e.status < 400 && (lastUse.get(e.apiKeyId)?.getTime() ?? 0) < e.at.getTime()) lastUse.set(e.apiKeyId, e.at);
    if (lastUse.size) {
      const ids = [...lastUse.keys()];
      await query(
        this.orm,
        `update api_keys k set last_used_at = v.at from (values ${ids.map(() => '(?::uuid, ?::timestamptz)').join(', ')}) as v(id, at)
         where k.id = v.id and (k.last_used_at is null or k.last_used_at < v.at)`,
        ids.flatMap((id) => [id, lastUse.get(id)]),
      );
    }
  }
}

export class PostgresAccessLogReader implements AccessLogReader {
  private readonly orm: Orm;

  constructor(orm: Orm) {
    this.orm = orm;
  }

  async query(filter: AccessLogFilter): Promise<AccessLogRow[]> {
    const where: string[] = ['true'];
    const params: unknown[] = [];
    if (filter.serviceId) {
      where.push('l.external_service_id = ?');
      params.push(filter.serviceId);
    }
    if (filter.status !== undefined) {
      where.push('l.response_status = ?');
      params.push(filter.status);
    }
    if (filter.from) {
      where.push('l.created_at >= ?::timestamptz');
      params.push(filter.from);
    }
    if (filter.to) {
      where.push('l.created_at < ?::timestamptz');
      params.push(filter.to);
    }
    const rows = await query(
      this.orm,
      `select l.id, l.external_service_id, l.api_key_id, l.endpoint, l.http_method::text as method, l.ip_address, l.user_agent, l.response_status,
         l.duration_ms, l.error_code, l.request_id, l.created_at, s.company, k.key_prefix
       from api_access_logs l left join external_services s on s.id = l.external_service_id left join api_keys k on k.id = l.api_key_id
       where ${where.join(' and ')} order by l.created_at desc limit ?`,
      [...params, filter.limit],
    );
    return rows.map((r) => ({
      id: r.id as string,
      externalServiceId: (r.external_service_id as string | null) ?? null,
      apiKeyId: (r.api_key_id as string | null) ?? null,
      endpoint: (r.endpoint as string) ?? '',
      method: (r.method as string) ?? '',
      ipAddress: (r.ip_address as string) ?? '',
      userAgent: (r.user_agent as string | null) ?? null,
      status: Number(r.response_status),
      durationMs: Number(r.duration_ms),
      errorCode: (r.error_code as string | null) ?? null,
      requestId: (r.request_id as string | null) ?? null,
      at: toDate(r.created_at),
      company: (r.company as string | null) ?? null,
      keyPrefix: (r.key_prefix as string | null) ?? null,
    }));
  }
}
