import { Counter, Gauge, type Registry } from 'prom-client';
import type { Orm } from '../persistence/orm.ts';
import { kysely } from '../persistence/kysely.ts';
import { secondsSince } from '../persistence/kysely-functions.ts';
import type { AuditEvent, NewAuditEvent } from '../../domain/audit/audit-event.ts';

export interface AuditMetrics {
  recorded(e: AuditEvent): void;
  failed(e: NewAuditEvent): void;
}

/**
 * The audit trail's metrics: events written by category and action, and writes that failed (both
 * by this process); from the database at scrape time, whether the last `audit verify` found the
 * chain broken and how old the newest signed checkpoint is (both global, so dashboards take max()).
 */
export function registerAuditMetrics(registry: Registry, orm: Orm | null): AuditMetrics {
  const written = new Counter({
    name: 'audit_events_written_total',
    help: 'Audit events appended by this process, by category and action',
    labelNames: ['category', 'action'] as const,
    registers: [registry],
  });
  const failures = new Counter({
    name: 'audit_write_failures_total',
    help: 'Audit events this process could not append, by category',
    labelNames: ['category'] as const,
    registers: [registry],
  });
  if (orm) {
    new Gauge({
      name: 'audit_verify_failed',
      help: '1 when the latest `audit verify` found the chain edited, truncated or reordered, 0 when it passed (absent before the first run)',
      registers: [registry],
      async collect() {
        const rows = await kysely(orm.em.fork())
          .selectFrom('audit_events')
          // jsonb_extract_path_text is ->>'s function form: the value as text ('true'), null when absent.
          .select((eb) => eb.fn<string | null>('jsonb_extract_path_text', ['details', eb.val('ok')]).as('ok'))
          .where('action', '=', 'audit.verify')
          .orderBy('seq', 'desc')
          .limit(1)
          .execute()
          .catch(() => []);
        this.reset();
        if (rows[0]) this.set(rows[0].ok === 'true' ? 0 : 1);
      },
    });
    new Gauge({
      name: 'audit_checkpoint_age_seconds',
      help: 'Seconds since the newest signed audit checkpoint (absent before the first)',
      registers: [registry],
      async collect() {
        const rows = await kysely(orm.em.fork())
          .selectFrom('audit_checkpoints')
          .select((eb) => secondsSince(eb, eb.fn.max('signed_at')).as('age'))
          .execute()
          .catch(() => []);
        this.reset();
        if (rows[0]?.age !== null && rows[0]?.age !== undefined) this.set(Number(rows[0].age));
      },
    });
  }
  return {
    recorded: (e) => written.inc({ category: e.category, action: e.action }),
    failed: (e) => failures.inc({ category: e.category }),
  };
}
