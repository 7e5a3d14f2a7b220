import type { Logger } from 'pino';
import type { ExpressionBuilder } from 'kysely';
import { HTTP_METHODS, type AccessLogEntry, type HttpMethod } from '../../../domain/regulator/access-log.ts';
import { ApiAccessLogSchema } from '../schemas/index.ts';
import type { AccessLogFilter, AccessLogReader, AccessLogRow, AccessLogSink } from '../../../domain/regulator/regulator.ports.ts';
import type { Orm } from '../orm.ts';
import { kysely, type Database } from '../kysely.ts';

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
      // Each key's newest use from this batch, as a CASE on the key's id; a later use already stored is kept.
      const usedAt = (eb: ExpressionBuilder<Database, 'api_keys'>) => {
        const [first, ...rest] = [...lastUse];
        let c = eb
          .case('id')
          .when(first![0])
          .then(eb.cast<Date>(eb.val(first![1]), 'timestamptz'));
        for (const [id, at] of rest) c = c.when(id).then(eb.cast<Date>(eb.val(at), 'timestamptz'));
        return c.end();
      };
      await kysely(this.orm.em.fork())
        .updateTable('api_keys')
        .set((eb) => ({ last_used_at: usedAt(eb) }))
        .where('id', 'in', [...lastUse.keys()])
        .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', usedAt(eb))]))
        .execute();
    }
  }
}

export class PostgresAccessLogReader implements AccessLogReader {
  private readonly orm: Orm;

  constructor(orm: Orm) {
    this.orm = orm;
  }

  async query(filter: AccessLogFilter): Promise<AccessLogRow[]> {
    const rows = await kysely(this.orm.em.fork())
      .selectFrom('api_access_logs as l')
      .leftJoin('external_services as s', 's.id', 'l.external_service_id')
      .leftJoin('api_keys as k', 'k.id', 'l.api_key_id')
      .select([
        'l.id',
        'l.external_service_id',
        'l.api_key_id',
        'l.endpoint',
        'l.http_method',
        'l.ip_address',
        'l.user_agent',
        'l.response_status',
        'l.duration_ms',
        'l.error_code',
        'l.request_id',
        'l.created_at',
        's.company',
        'k.key_prefix',
      ])
      .$if(!!filter.serviceId, (q) => q.where('l.external_service_id', '=', filter.serviceId!))
      .$if(filter.status !== undefined, (q) => q.where('l.response_status', '=', filter.status!))
      .$if(!!filter.from, (q) => q.where('l.created_at', '>=', filter.from!))
      .$if(!!filter.to, (q) => q.where('l.created_at', '<', filter.to!))
      .orderBy('l.created_at', 'desc')
      .limit(filter.limit)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      externalServiceId: r.external_service_id,
      apiKeyId: r.api_key_id,
      endpoint: r.endpoint ?? '',
      method: r.http_method ?? '',
      ipAddress: r.ip_address ?? '',
      userAgent: r.user_agent,
      status: Number(r.response_status),
      durationMs: Number(r.duration_ms),
      errorCode: r.error_code,
      requestId: r.request_id,
      at: r.created_at,
      company: r.company,
      keyPrefix: r.key_prefix,
    }));
  }
}
