import { BlockList, isIP } from 'node:net';
import Koa from 'koa';
import Router from '@koa/router';
import type { Logger } from 'pino';
import type { ReadinessCheck } from '../../application/ports/readiness.ts';
import { bodyParser } from './body-parser.ts';
import { refuseCrossSiteCookieWrites } from './cross-site.ts';
import { errorMapper } from './error-mapper.ts';
import { respond, respondError } from './envelope.ts';
import { HttpMetrics } from './metrics.ts';
import { OpenApiRegistry } from './openapi.ts';
import { mountApiDocs } from './api-docs.ts';
import { requestContext } from './request-context.ts';
import { refuseUnstorableInput } from './storable-text.ts';
import { recordSecurityRefusals } from './security-events.ts';
import type { NewAuditEvent } from '../../domain/audit/audit-event.ts';

export interface HttpAppOptions {
  service: string;
  /** Web origins (besides this host) whose pages may send cookie-authenticated writes (ALLOWED_ORIGINS). */
  allowedOrigins?: string[];
  logger: Logger;
  readiness: ReadinessCheck[];
  /** Whether the process is draining: /readyz answers 503 so the load balancer stops sending. */
  draining: () => boolean;
  trustedProxies: string[];
  /** How many proxies of ours stand in front of the service, each appending to X-Forwarded-For (Kong alone: 1). */
  trustedProxyHops: number;
  mount: (router: Router, openapi: OpenApiRegistry) => void;
  /**
   * While it returns a refusal (the database schema is not the code's), every request but /healthz
   * and /metrics answers 503 with its error code, and /readyz says why.
   */
  refusal?: () => Refusal | null;
  /** Where security refusals are recorded (the audit trail); never throws. */
  securityEvents?: (e: NewAuditEvent) => Promise<void>;
  /** The process's metrics (its registry also holds the workers' metrics); a fresh one when absent. */
  metrics?: HttpMetrics;
}

/** Why the whole service refuses requests: a stable error code, a message for clients, details for /readyz. */
export interface Refusal {
  error: string;
  message: string;
  details?: Record<string, unknown>;
}

export interface HttpApp {
  app: Koa;
  metrics: HttpMetrics;
  openapi: OpenApiRegistry;
  router: Router;
}

const READY_TIMEOUT_MS = 2000;
/** Served even while the service refuses requests: liveness (a restart would not help), readiness (says why), metrics. */
const ALWAYS_SERVED = new Set(['/healthz', '/readyz', '/metrics']);

export function createHttpApp(opts: HttpAppOptions): HttpApp {
  const app = new Koa({ proxy: false });
  app.silent = true;
  const metrics = opts.metrics ?? new HttpMetrics(opts.service);
  const openapi = new OpenApiRegistry();
  const router = new Router();

  router.get('/healthz', (ctx) => respond(ctx, 200, 'ok', { status: 'ok', service: opts.service }));
  router.get('/readyz', async (ctx) => {
    const results = await Promise.all(
      opts.readiness.map(async (r) => {
        const started = Date.now();
        try {
          await withTimeout(r.check(), READY_TIMEOUT_MS);
          return { name: r.name, status: 'up', latency_ms: Date.now() - started, ...(r.optional ? { optional: true } : {}) };
        } catch (err) {
          return { name: r.name, status: 'down', error: (err as Error).message || 'unreachable', ...(r.optional ? { optional: true } : {}) };
        }
      }),
    );
    const refused = opts.refusal?.() ?? null;
    const ready = !refused && !opts.draining() && results.every((r) => r.status === 'up' || r.optional);
    const data = { status: ready ? 'ready' : opts.draining() ? 'draining' : 'not ready', service: opts.service, checks: results, ...(refused?.details ?? {}) };
    if (ready) respond(ctx, 200, 'ready', data);
    else {
      ctx.status = 503;
      ctx.body = {
        meta: { code: '503', message: refused?.message ?? 'not ready', error: refused?.error ?? 'NOT_READY', request_id: ctx.state.requestId },
        data,
      };
    }
  });
  router.get('/metrics', async (ctx) => {
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  });
  // Built once, at the first request: every route is mounted by then.
  let document: Record<string, unknown> | undefined;
  router.get('/openapi.json', (ctx) => {
    ctx.body = document ??= openapi.document({ title: `One Gate Payment — ${opts.service}` });
  });
  mountApiDocs(router, `One Gate Payment — ${opts.service}`);

  opts.mount(router, openapi);

  app.use(requestContext(opts.logger, metrics));
  app.use(async (ctx, next) => {
    if (opts.draining()) ctx.set('Connection', 'close');
    await next();
  });
  app.use(async (ctx, next) => {
    const refused = opts.refusal?.();
    if (refused && !ALWAYS_SERVED.has(ctx.path)) {
      ctx.set('Retry-After', '5');
      return respondError(ctx, 503, refused.error, refused.message);
    }
    await next();
  });
  app.use(async (ctx, next) => {
    ctx.state.clientIp = clientIp(ctx.req.socket.remoteAddress ?? '', ctx.get('x-forwarded-for'), opts.trustedProxies, opts.trustedProxyHops);
    await next();
  });
  if (opts.securityEvents) app.use(recordSecurityRefusals(opts.service, opts.securityEvents));
  app.use(errorMapper());
  app.use(refuseCrossSiteCookieWrites(opts.allowedOrigins ?? []));
  app.use(refuseUnstorableInput());
  app.use(bodyParser());
  app.use(router.routes());
  app.use(router.allowedMethods());
  return { app, metrics, openapi, router };
}

/**
 * The client's address. Every proxy appends to X-Forwarded-For the address it received the request
 * from; everything left of our own proxies' entries is whatever the client chose to send. So:
 * - the header is read only when the direct peer is a trusted proxy (TRUSTED_PROXIES: addresses or
 *   CIDR ranges), otherwise the peer itself is the client;
 * - it is read from the right, one entry per proxy of ours: the right-most entry is what our nearest
 *   proxy saw; the walk goes one entry further left only while the address just taken is itself a
 *   trusted proxy, and never past `hops` entries (TRUSTED_PROXY_HOPS, the length of our chain);
 * - so the answer is the right-most address that is not one of our proxies, or the address the
 *   outermost of our proxies saw — never an entry the client wrote, even when the client's own
 *   address is private (a VPN, a load balancer's SNAT) and falls inside a trusted range.
 * An entry that is not an IP address ends the walk (the address taken so far stands).
 */
export function clientIp(peer: string, forwardedFor: string, trusted: string[], hops = 1): string {
  const normalise = (ip: string) => ip.replace(/^::ffff:/, '');
  const isTrusted = trustMatcher(trusted);
  let client = normalise(peer);
  if (!forwardedFor || !isTrusted(client)) return client;
  const entries = forwardedFor.split(',').map((s) => normalise(s.trim()));
  for (let k = 0; k < hops && k < entries.length; k++) {
    if (k > 0 && !isTrusted(client)) break;
    const entry = entries[entries.length - 1 - k]!;
    if (isIP(entry) === 0) break;
    client = entry;
  }
  return client;
}

const matchers = new WeakMap<string[], (ip: string) => boolean>();
function trustMatcher(trusted: string[]): (ip: string) => boolean {
  let match = matchers.get(trusted);
  if (!match) {
    const ranges = new BlockList();
    const exact = new Set<string>();
    for (const entry of trusted) {
      const [addr, bits] = entry.split('/') as [string, string | undefined];
      if (bits !== undefined && isIP(addr)) ranges.addSubnet(addr, Number(bits), isIP(addr) === 6 ? 'ipv6' : 'ipv4');
      else exact.add(entry);
    }
    match = (ip) => exact.has(ip) || (isIP(ip) !== 0 && ranges.check(ip, isIP(ip) === 6 ? 'ipv6' : 'ipv4'));
    matchers.set(trusted, match);
  }
  return match;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}
