import { UsageError, type AdminCommand } from '../cli.ts';
import { dateFlag, intFlag, optionalFlag } from './regulator-cli.ts';
import { AUDIT_CATEGORIES, type AuditCategory, type AuditEvent } from '../../../domain/audit/audit-event.ts';
import { PostgresAuditLog } from '../../../adapters/persistence/audit/postgres-audit-log.ts';

export const auditEventJson = (e: AuditEvent) => ({
  seq: e.seq,
  id: e.id,
  occurred_at: e.occurredAt.toISOString(),
  category: e.category,
  action: e.action,
  actor: e.actor,
  object: e.object,
  before: e.before,
  after: e.after,
  details: e.details,
  source: { ip: e.sourceIp, user_agent: e.userAgent },
  request_id: e.requestId,
  prev_hash: e.prevHash,
  hash: e.hash,
});

function categoryFlag(v: string | undefined): AuditCategory | undefined {
  if (v === undefined) return undefined;
  const c = v.toUpperCase();
  if (!(AUDIT_CATEGORIES as readonly string[]).includes(c)) throw new UsageError(`--category must be one of ${AUDIT_CATEGORIES.join(', ')}`);
  return c as AuditCategory;
}

export const auditCommands: AdminCommand[] = [
  {
    name: 'audit verify',
    summary: 'check the audit trail: hash chain and signed checkpoints; names the first edited, deleted or reordered event (exit 1)',
    usage: 'audit verify [--from SEQ]',
    async run(ctx) {
      const report = await ctx.trail.verify(intFlag(ctx.flags, 'from', 1, Number.MAX_SAFE_INTEGER) ?? 1);
      // The outcome is itself an event: the audit_verify_failed metric (and its alert) reads the latest one.
      await ctx.audit(
        'audit.verify',
        { type: 'audit_trail', id: null },
        { details: { ok: report.ok, from_seq: report.fromSeq, checked: report.checked, problem: report.problem } },
      );
      const summary = report.ok
        ? `audit trail OK: ${report.checked} events checked (${report.fromSeq}..${report.lastSeq}), ${report.checkpointsVerified} signed checkpoints verified` +
          (report.checkpointsUnverifiable ? `, ${report.checkpointsUnverifiable} checkpoints signed by keys not configured here (AUDIT_VERIFY_KEYS)` : '')
        : `audit trail BROKEN at event ${report.problem!.seq}: ${report.problem!.message}`;
      ctx.print(report, summary);
      if (!report.ok) throw new Error(`audit trail broken at event ${report.problem!.seq} (${report.problem!.kind})`);
    },
  },
  {
    name: 'audit query',
    summary: 'read the audit trail, newest first',
    usage:
      'audit query [--from ISO] [--to ISO] [--category OPERATOR|SECURITY|CONFIGURATION] [--action accounts.suspend|keys.] [--actor ID] [--object-type T] [--object-id ID] [--before-seq N] [--limit 100]',
    async run(ctx) {
      const events = await new PostgresAuditLog(ctx.orm).query({
        from: dateFlag(ctx.flags, 'from'),
        to: dateFlag(ctx.flags, 'to'),
        category: categoryFlag(optionalFlag(ctx.flags, 'category')),
        action: optionalFlag(ctx.flags, 'action'),
        actorId: optionalFlag(ctx.flags, 'actor'),
        objectType: optionalFlag(ctx.flags, 'object-type'),
        objectId: optionalFlag(ctx.flags, 'object-id'),
        beforeSeq: intFlag(ctx.flags, 'before-seq', 1, Number.MAX_SAFE_INTEGER),
        limit: intFlag(ctx.flags, 'limit', 1, 10_000) ?? 100,
      });
      const rows = events.map(auditEventJson);
      ctx.print(
        rows,
        rows
          .map(
            (e) =>
              `${String(e.seq).padStart(7)} ${e.occurred_at} ${e.category.padEnd(13)} ${e.action.padEnd(24)} ${e.actor.type}:${e.actor.id}  ${e.object.type}:${e.object.id ?? '-'}`,
          )
          .join('\n') || 'no audit events',
      );
    },
  },
  {
    name: 'audit checkpoint',
    summary: "sign the audit trail's current head now (AUDIT_SIGNING_KEY); the trail also signs one every AUDIT_CHECKPOINT_EVERY events",
    usage: 'audit checkpoint',
    async run(ctx) {
      const c = await ctx.trail.checkpoint();
      const json = c && { seq: c.seq, hash: c.hash, signed_at: c.signedAt.toISOString(), key_id: c.keyId };
      ctx.print(json, c ? `signed checkpoint at event ${c.seq} (key ${c.keyId})` : 'the audit trail is empty: nothing to sign');
    },
  },
  {
    name: 'audit status',
    summary: 'the trail head, the newest checkpoint and the retention boundary (what may be archived; the application deletes nothing)',
    usage: 'audit status',
    async run(ctx) {
      const log = new PostgresAuditLog(ctx.orm);
      const head = await log.head();
      const checkpoints = await log.checkpoints();
      const last = checkpoints.at(-1);
      const boundary = new Date();
      boundary.setUTCFullYear(boundary.getUTCFullYear() - ctx.config.AUDIT_RETENTION_YEARS);
      const json = {
        head_seq: head.seq,
        head_hash: head.hash,
        checkpoints: checkpoints.length,
        last_checkpoint: last ? { seq: last.seq, signed_at: last.signedAt.toISOString(), key_id: last.keyId } : null,
        retention_years: ctx.config.AUDIT_RETENTION_YEARS,
        retained_since: boundary.toISOString(),
      };
      ctx.print(
        json,
        [
          `head: event ${head.seq}`,
          `checkpoints: ${checkpoints.length}${last ? ` (newest at event ${last.seq}, ${last.signedAt.toISOString()})` : ''}`,
          `retention: ${json.retention_years} years; events before ${json.retained_since} may be archived (see README)`,
        ].join('\n'),
      );
    },
  },
];
