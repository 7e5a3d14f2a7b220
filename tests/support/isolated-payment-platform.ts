import { afterAll, beforeAll } from 'vitest';
import { startPlatform, type RunningPlatform } from '../../src/entrypoints/shared/platform.ts';
import { createPaymentModule } from '../../src/entrypoints/payment/payment.module.ts';
import { realServicesConfig } from './services.ts';
import { createIsolatedDatabase } from './isolated-database.ts';

export type Envelope = { meta: { code: string; error?: string; message?: string; details?: Record<string, unknown> }; data: Record<string, unknown> | null };

export interface IsolatedPaymentPlatform {
  /** The suite's own database (set in beforeAll). */
  readonly db: Awaited<ReturnType<typeof createIsolatedDatabase>>;
  /** The payment service over it (set in beforeAll). */
  readonly p: RunningPlatform;
  /** One request with the caller's bearer token, its JSON envelope read. */
  call(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: Envelope }>;
  /** A statement on the suite's database, through the service's own connection. */
  sql<T>(q: string, params?: unknown[]): Promise<T[]>;
}

export interface IsolatedPaymentPlatformOptions {
  /** Run the reconciler, the payout checker and the daily job on their timers (default false: the suite drives what it needs). */
  reconciler?: boolean;
  /** Settings over the real services' configuration (scaled-down timings). */
  env?: Record<string, string>;
  /** Runs once the service is up (fixtures, what the suite reaches inside it). */
  seed?: (p: RunningPlatform) => Promise<unknown> | void;
}

/**
 * Registers a suite's beforeAll/afterAll: a database of its own (`prefix`, for checks over the
 * whole database or workers that claim everything in it) and a payment service on it; both go
 * after the suite.
 */
export function isolatedPaymentPlatform(prefix: string, opts: IsolatedPaymentPlatformOptions = {}): IsolatedPaymentPlatform {
  let db: IsolatedPaymentPlatform['db'] | undefined;
  let p: RunningPlatform | undefined;
  beforeAll(async () => {
    db = await createIsolatedDatabase(prefix);
    p = await startPlatform({
      service: 'payment-service',
      modules: [createPaymentModule({ reconciler: opts.reconciler ?? false })],
      config: realServicesConfig({ DATABASE_URL: db.url, ...opts.env }),
    });
    await opts.seed?.(p);
  });
  afterAll(async () => {
    await p?.stop();
    await db?.drop();
  });
  const started = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('the isolated payment platform starts in beforeAll');
    return v;
  };
  return {
    get db() {
      return started(db);
    },
    get p() {
      return started(p);
    },
    async call(method, path, token, body) {
      const r = await fetch(`${started(p).url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: r.status, body: (await r.json()) as Envelope };
    },
    async sql<T>(q: string, params: unknown[] = []) {
      return (await started(p).infra.orm.em.getConnection().execute(q, params)) as T[];
    },
  };
}
