import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DomainError } from '../../../domain/shared/domain-error.ts';
import { Money } from '../../../domain/shared/money.ts';
import type { TopUpStatus } from '../../../domain/ewallet/ewallet-provider.ts';
import { parseStatementDate } from '../../../domain/reconciliation/reconciliation.ts';
import type { SandboxBehaviour, SandboxOperation, SandboxTopUp, SandboxWallets, WalletSeed } from './sandbox-wallets.ts';
import type { SandboxJournal } from './sandbox-journal.ts';
import type { WebhookNotifier } from './webhook-notifier.ts';
import { EWalletErrors } from '../../../domain/ewallet/ewallet.errors.ts';
import { CommonErrors } from '../../../domain/shared/common.errors.ts';

/** Plumbing shared by the two provider sandboxes (node:http, no framework). */

export interface Answer {
  status: number;
  body: unknown;
  /** A non-JSON answer (a statement's CSV): sent as is with this content type. */
  text?: { contentType: string; content: string };
}

export type Handler = (req: IncomingMessage, path: string, raw: Buffer) => Promise<Answer | 'hang'>;

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** What either provider's simulator is started with; `C` is its provider's credentials. */
export interface SandboxOptions<C> {
  /** Our notification endpoint, read at send time (undefined: no notifications). */
  webhookUrl: () => string | undefined;
  credentials?: Partial<C>;
  seeds?: WalletSeed[];
  /** Keep wallets and top-ups in this file across restarts (default: in memory only). */
  journal?: SandboxJournal;
  host?: string;
  port?: number;
}

/** A running simulator of either provider. */
export interface RunningSandbox<C> {
  url: string;
  credentials: C;
  /** Wallets, top-ups and behaviour switches (the programmatic control handle). */
  control: SandboxWallets;
  notifier: WebhookNotifier;
  stop(): Promise<void>;
}

/** The handle of a started simulator: stopping it stops its wallets' timers, its notifier and its server. */
export function runningSandbox<C>(server: RunningServer, credentials: C, wallets: SandboxWallets, notifier: WebhookNotifier): RunningSandbox<C> {
  return {
    url: server.url,
    credentials,
    control: wallets,
    notifier,
    stop: async () => {
      wallets.stop();
      notifier.stop();
      await server.close();
    },
  };
}

const BODY_LIMIT = 64 * 1024;

export async function serve(handler: Handler, host = '127.0.0.1', port = 0): Promise<RunningServer> {
  const server: Server = createServer((req, res) => {
    void handle(handler, req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Hanging requests (the "hang" behaviour) and keep-alive sockets must not hold the close.
        server.closeAllConnections();
      }),
  };
}

async function handle(handler: Handler, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const raw = await readBody(req);
    const path = new URL(req.url ?? '/', 'http://sandbox').pathname;
    const answer = await handler(req, path, raw);
    if (answer === 'hang') return; // never answered; the socket closes when the client gives up
    if (answer.text) {
      res.writeHead(answer.status, { 'content-type': answer.text.contentType, 'content-length': Buffer.byteLength(answer.text.content) });
      res.end(answer.text.content);
    } else sendJson(res, answer.status, answer.body);
  } catch (err) {
    if (err instanceof DomainError) {
      const status = { invalid: 400, unauthenticated: 401, not_found: 404, conflict: 409 }[err.kind as string] ?? 422;
      sendJson(res, status, { error: err.code, message: err.message });
    } else {
      sendJson(res, 500, { error: 'INTERNAL', message: 'sandbox error' });
    }
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > BODY_LIMIT) {
        reject(EWalletErrors.bodyTooLarge());
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function parseJson(raw: Buffer): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(raw.toString('utf8'));
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw CommonErrors.invalidJson('body must be a JSON object');
}

export function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs one provider operation under the behaviour set for it: slow waits first (a top-up slowed past
 * the acceptance window is dropped), error answers 5xx without doing anything, hang does the work
 * and then never answers.
 */
export async function withBehaviour(wallets: SandboxWallets, op: SandboxOperation, work: (b: SandboxBehaviour | null) => Answer): Promise<Answer | 'hang'> {
  const b = wallets.take(op);
  const arrivedAt = Date.now();
  if (b?.kind === 'slow') await sleep(b.delayMs);
  // A top-up held past the provider's acceptance window is dropped, never applied (its promise).
  if (op === 'topup' && wallets.expired(arrivedAt))
    return { status: 504, body: { error: 'REQUEST_EXPIRED', message: 'not processed within the acceptance window' } };
  if (b?.kind === 'error') return { status: b.status ?? 500, body: { error: 'INTERNAL_SERVER_ERROR', message: 'sandbox told to fail' } };
  const answer = work(b);
  return b?.kind === 'hang' ? 'hang' : answer;
}

/**
 * The control API under /sandbox/ (unauthenticated: the sandbox listens on loopback and holds no
 * real money). Returns null when the path is not a control path.
 */
export function control(wallets: SandboxWallets, method: string, path: string, raw: Buffer): Answer | null {
  if (!path.startsWith('/sandbox/')) return null;
  if (method === 'POST' && path === '/sandbox/wallets') {
    const b = parseJson(raw);
    if (typeof b.phone !== 'string') throw EWalletErrors.invalidPhone();
    if (b.balance !== undefined) Money.parse(String(b.balance));
    const w = wallets.registerWallet(b.phone, {
      name: typeof b.name === 'string' ? b.name : undefined,
      balance: b.balance === undefined ? undefined : String(b.balance),
    });
    return { status: 201, body: walletJson(w) };
  }
  const walletMatch = /^\/sandbox\/wallets\/([^/]+)$/.exec(path);
  if (method === 'GET' && walletMatch) {
    const w = wallets.wallet(decodeURIComponent(walletMatch[1]!));
    return w ? { status: 200, body: walletJson(w) } : { status: 404, body: { error: 'NOT_FOUND' } };
  }
  if (method === 'POST' && path === '/sandbox/behaviours') {
    const b = parseJson(raw);
    const ops = ['token', 'account', 'balance', 'topup', 'status', 'statement', '*'];
    const kinds = ['slow', 'hang', 'error', 'decline', 'pending'];
    if (!ops.includes(String(b.operation)) || !kinds.includes(String(b.kind))) {
      throw EWalletErrors.invalidBehaviour(`operation must be one of ${ops.join(',')}; kind one of ${kinds.join(',')}`);
    }
    if (b.kind === 'slow' && !(typeof b.delayMs === 'number' && b.delayMs >= 0)) throw EWalletErrors.invalidBehaviour('slow needs delayMs');
    if (b.kind === 'pending' && b.settleAfterMs !== undefined && !(typeof b.settleAfterMs === 'number' && b.settleAfterMs >= 0)) {
      throw EWalletErrors.invalidBehaviour('settleAfterMs must be a number of milliseconds');
    }
    const times = typeof b.times === 'number' && b.times > 0 ? b.times : undefined;
    wallets.behave(b.operation as SandboxOperation | '*', b as unknown as SandboxBehaviour, times);
    return { status: 204, body: undefined };
  }
  if (method === 'DELETE' && path === '/sandbox/behaviours') {
    wallets.resetBehaviours();
    return { status: 204, body: undefined };
  }
  if (method === 'POST' && path === '/sandbox/settle') {
    const b = parseJson(raw);
    if (typeof b.reference !== 'string' || (b.status !== 'SUCCESS' && b.status !== 'FAILED')) {
      throw EWalletErrors.invalidSettle();
    }
    const t = wallets.settle(b.reference, b.status, typeof b.reason === 'string' ? b.reason : undefined);
    return { status: 200, body: { reference: t.reference, status: t.status, reason: t.reason ?? null } };
  }
  if (method === 'POST' && path === '/sandbox/notify') {
    // The provider notifies again about a final top-up (a retry, a replay): a late webhook.
    const b = parseJson(raw);
    const t = typeof b.reference === 'string' ? wallets.topUp(b.reference) : null;
    if (!t || t.status === 'PENDING') return { status: 404, body: { error: 'NOT_FOUND', message: 'no final top-up with this reference' } };
    wallets.notify?.(t);
    return { status: 202, body: { reference: t.reference, status: t.status } };
  }
  const topUpMatch = /^\/sandbox\/topups\/([^/]+)$/.exec(path);
  if (method === 'POST' && path === '/sandbox/topups') {
    const b = parseJson(raw);
    if (typeof b.reference !== 'string' || typeof b.phone !== 'string' || typeof b.amount !== 'string' || (b.status !== 'SUCCESS' && b.status !== 'FAILED')) {
      throw EWalletErrors.invalidTopup('reference, phone, amount ("10000.00") and status (SUCCESS or FAILED) are required');
    }
    return { status: 201, body: topUpJson(wallets.inject(b.reference, b.phone, Money.parse(b.amount), b.status)) };
  }
  if (method === 'PATCH' && topUpMatch) {
    const b = parseJson(raw);
    const status = b.status;
    if (status !== undefined && status !== 'SUCCESS' && status !== 'FAILED' && status !== 'PENDING')
      throw EWalletErrors.invalidTopup('status must be SUCCESS, FAILED or PENDING');
    if (b.amount !== undefined && typeof b.amount !== 'string') throw EWalletErrors.invalidTopup('amount must be a "10000.00" string');
    const t = wallets.tamper(decodeURIComponent(topUpMatch[1]!), {
      amount: b.amount === undefined ? undefined : Money.parse(b.amount as string),
      status: status as TopUpStatus | undefined,
    });
    return { status: 200, body: topUpJson(t) };
  }
  if (method === 'DELETE' && topUpMatch) {
    wallets.forget(decodeURIComponent(topUpMatch[1]!));
    return { status: 204, body: undefined };
  }
  if (method === 'GET' && topUpMatch) {
    const t = wallets.topUp(decodeURIComponent(topUpMatch[1]!));
    return t ? { status: 200, body: topUpJson(t) } : { status: 404, body: { error: 'NOT_FOUND' } };
  }
  return { status: 404, body: { error: 'NOT_FOUND' } };
}

function topUpJson(t: SandboxTopUp) {
  return {
    reference: t.reference,
    phone: t.phone,
    amount: t.amount.toString(),
    status: t.status,
    providerReference: t.providerReference,
    reason: t.reason ?? null,
    createdAt: t.createdAt.toISOString(),
  };
}

function walletJson(w: { phone: string; name: string; accountNumber: string; balance: Money; lastUpdated: Date }) {
  return { phone: w.phone, name: w.name, accountNumber: w.accountNumber, balance: w.balance.toString(), lastUpdated: w.lastUpdated.toISOString() };
}

/** The statement day of a report request, or null when it is not a YYYY-MM-DD date. */
export function reportDate(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  try {
    return parseStatementDate(v);
  } catch {
    return null;
  }
}

export const csvAnswer = (content: string): Answer => ({ status: 200, body: undefined, text: { contentType: 'text/csv; charset=utf-8', content } });
