import type { Context, Middleware } from 'koa';
import type { NewAuditEvent } from '../../domain/audit/audit-event.ts';

type Describe = (ctx: Context) => Pick<NewAuditEvent, 'action' | 'object'> | null;

/**
 * The security refusals that go to the audit trail, by the error code the response carries (one
 * table, whatever handler refused): login lockouts, refresh-token reuse (its family is revoked),
 * webhook notifications with a bad signature, and regulators over their rate limits.
 */
const SECURITY_REFUSALS: Record<string, Describe> = {
  TOO_MANY_LOGIN_ATTEMPTS: () => ({ action: 'auth.login_locked', object: { type: 'login', id: null } }),
  REFRESH_TOKEN_REUSED: () => ({ action: 'auth.refresh_token_reused', object: { type: 'session', id: null } }),
  INVALID_SIGNATURE: (ctx) => ({ action: 'webhook.signature_rejected', object: { type: 'webhook', id: ctx.path.split('/').pop() ?? null } }),
  RATE_LIMITED: (ctx) =>
    ctx.state.regulator ? { action: 'regulator.rate_limited', object: { type: 'api_key', id: (ctx.state.regulator as { key: { id: string } }).key.id } } : null,
};

/** A client hammering a refusal is recorded once per window (per process), not once per request. */
const REPEAT_WINDOW_MS = 60_000;

/**
 * Records security refusals in the audit trail once the response is decided (it sits outside the
 * error mapper, so it sees the mapped error code). The refusal is answered whether or not it could
 * be recorded: `record` never throws (failures are counted and alerted on).
 */
export function recordSecurityRefusals(service: string, record: (e: NewAuditEvent) => Promise<void>): Middleware {
  const recent = new Map<string, number>();
  return async (ctx, next) => {
    await next();
    const code = (ctx.body as { meta?: { error?: unknown } } | undefined)?.meta?.error;
    const describe = typeof code === 'string' ? SECURITY_REFUSALS[code] : undefined;
    const what = describe?.(ctx);
    if (!what) return;
    const ip = String(ctx.state.clientIp ?? ctx.ip);
    const key = `${what.action}|${what.object.id}|${ip}`;
    const now = Date.now();
    if ((recent.get(key) ?? 0) > now - REPEAT_WINDOW_MS) return;
    recent.set(key, now);
    if (recent.size > 10_000) for (const [k, at] of recent) if (at <= now - REPEAT_WINDOW_MS) recent.delete(k);
    const regulator = ctx.state.regulator as { key: { prefix: string } } | undefined;
    const user = ctx.state.actor as { userId: number } | undefined;
    await record({
      category: 'SECURITY',
      ...what,
      actor: regulator ? { type: 'api_key', id: regulator.key.prefix } : user ? { type: 'user', id: String(user.userId) } : { type: 'system', id: service },
      details: { code, status: ctx.status, method: ctx.method, path: ctx.path, repeats_suppressed_for_seconds: REPEAT_WINDOW_MS / 1000 },
      source: { ip, userAgent: ctx.get('user-agent') || null },
      requestId: (ctx.state.requestId as string | undefined) ?? null,
    });
  };
}
