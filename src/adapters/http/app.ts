import { BlockList, isIP } from 'node:net';
import Koa from 'koa';
import Router from '@koa/router';
import type { Logger } from 'pino';
import type { ReadinessCheck } from '../../application/ports/readiness.ts';
import { bodyParser } from './body-parser.ts';
import { errorMapper } from './error-mapper.ts';
import { respond } from './envelope.ts';
import { HttpMetrics } from './metrics.ts';
import { OpenApiRegistry, docsPage } from './openapi.ts';
import { requestContext } from './request-context.ts';
import { recordSecurityRefusals } from './security-events.ts';
import type { NewAuditEvent } from '../../domain/audit/audit-event.ts';

export interface HttpAppOptions {
  service: string;
  logger: Logger;
  readiness: ReadinessCheck[];
  /** Whether the process is draining: /readyz answers 503 so the load balancer stops sending. */
  draining: () => boolean;
  trustedProxies: string[];
  mount: (router: Router, openapi: OpenApiRegistry) => void;
  /** Where security refusals are recorded (the audit trail); never throws. */
  securityEvents?: (e: NewAuditEvent) => Promise<void>;
}

export interface HttpApp {
  app: Koa;
  metrics: HttpMetrics;
  openapi: OpenApiRegistry;
  router: Router;
}

const READY_TIMEOUT_MS = 2000;

export function createHttpApp(opts: HttpAppOptions): HttpApp {
  const app = new Koa({ proxy: false });
  app.silent = true;
  const metrics = new HttpMetrics(opts.service);
  const openapi = new OpenApiRegistry();
  const router = new Router();

  router.get('/healthz', (ctx) => respond(ctx, 200, 'ok', { status: 'ok', service: opts.service }));
  router.get('/readyz', async (ctx) => {
    const results = await Promise.all(
      opts.readiness.map(async (r) => {
        const started = Date.now();
        try {
          await withTimeout(r.check(), READY_TIMEOUT_MS);
          return { name: r.name, status: 'up', latency_ms: Date.now() - started };
        } catch (err) {
          return { name: r.name, status: 'down', error: (err as Error).message || 'unreachable' };
        }
      }),
    );
    const ready = !opts.draining() && results.every((r) => r.status === 'up');
    const data = { status: ready ? 'ready' : opts.draining() ? 'draining' : 'not ready', service: opts.service, checks: results };
    if (ready) respond(ctx, 200, 'ready', data);
    else {
      ctx.status = 503;
      ctx.body = { meta: { code: '503', message: 'not ready', error: 'NOT_READY', request_id: ctx.state.requestId }, data };
    }
  });
  router.get('/metrics', async (ctx) => {
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  });
  router.get('/openapi.json', (ctx) => {
    ctx.body = openapi.document(`One Gate Payment — ${opts.service}`);
  });
  router.get('/docs', (ctx) => {
    ctx.type = 'html';
    ctx.body = docsPage(`One Gate Payment — ${opts.service}`);
  });

  opts.mount(router, openapi);

  app.use(requestContext(opts.logger, metrics));
  app.use(async (ctx, next) => {
    if (opts.draining()) ctx.set('Connection', 'close');
    await next();
  });
  app.use(async (ctx, next) => {
    ctx.state.clientIp = clientIp(ctx.req.socket.remoteAddress ?? '', ctx.get('x-forwarded-for'), opts.trustedProxies);
    await next();
  });
  if (opts.securityEvents) app.use(recordSecurityRefusals(opts.service, opts.securityEvents));
  app.use(errorMapper());
  app.use(bodyParser());
  app.use(router.routes());
  app.use(router.allowedMethods());
  return { app, metrics, openapi, router };
}

/**
 * The client's address: X-Forwarded-For is believed only when the direct peer is a trusted proxy.
 * Trusted entries are addresses or CIDR ranges (in a cluster, Kong's pods have no fixed address).
 */
export function clientIp(peer: string, forwardedFor: string, trusted: string[]): string {
  const normalise = (ip: string) => ip.replace(/^::ffff:/, '');
  const isTrusted = trustMatcher(trusted);
  const direct = normalise(peer);
  if (!forwardedFor || !isTrusted(direct)) return direct;
  const hops = forwardedFor.split(',').map((s) => normalise(s.trim())).filter(Boolean);
  // Walk from the nearest hop back, skipping our own proxies; the first untrusted address is the client.
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    if (!isTrusted(hop)) return hop;
  }
  return hops[0] ?? direct;
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
