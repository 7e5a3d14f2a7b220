import { Readable } from 'node:stream';
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { AccessTokenVerifier } from '../../../application/ports/access-token.ts';
import type { AccessLogSink } from '../../../application/regulator/ports.ts';
import type { AuditLog } from '../../../application/ports/audit-log.ts';
import type { Permission } from '../../../domain/regulator/permissions.ts';
import { mountAuditRoute } from './audit.route.ts';
import type { RegulatorAuthenticator } from '../../../application/regulator/regulator-authenticator.ts';
import type { TransactionView } from '../../../application/transaction/ports.ts';
import type { TransactionQueries } from '../../../application/transaction/transaction-queries.ts';
import { actorOf, authenticate } from '../authenticate.ts';
import { respond } from '../envelope.ts';
import type { OpenApiRegistry } from '../openapi.ts';
import { defineRoute } from '../route.ts';
import { auditRegulatorRequests, refuseKeyInQuery, requireApiKey } from './regulator-gate.ts';
import { CSV_COLUMNS, csvLine, monthlyDto, pageMeta, regulatorTransactionDto, reportDto, userTransactionDto } from './transaction.dto.ts';
import { ExportQuery, filtersOf, fromInstant, HistoryQuery, IdParams, MonthlyQuery, pagingOf, ReportQuery, toInstant } from './transaction.requests.ts';

export interface TransactionRouteDeps {
  queries: TransactionQueries;
  accessTokens: AccessTokenVerifier;
  regulators: RegulatorAuthenticator;
  accessLog: AccessLogSink;
  audit: AuditLog;
}

const USER = { 400: 'validation failed', 401: 'missing or invalid access token' };
const REGULATOR = { 400: 'validation failed, or an API key in the query string', 401: 'missing, unknown, inactive, revoked or expired API key', 403: 'permission missing or address not allowed', 429: 'over a rate limit (Retry-After, X-RateLimit-*)', 503: 'rate limiter unavailable' };

export function mountTransactionRoutes(router: Router, openapi: OpenApiRegistry, deps: TransactionRouteDeps): void {
  const { queries } = deps;
  const user = [authenticate(deps.accessTokens)];
  const regulator = (permission: Permission) => [auditRegulatorRequests(deps.accessLog), refuseKeyInQuery(), requireApiKey(deps.regulators, permission)];

  // Users: only their own rows.
  defineRoute(router, openapi, { method: 'get', path: '/api/transaction/me/histories', summary: "The caller's transactions, newest first (page/size or cursor)", tag: 'transaction', security: 'bearer', query: HistoryQuery, responses: { 200: 'list', ...USER }, middleware: user }, async (ctx, { query }) => {
    const paging = pagingOf(query);
    const page = await queries.userHistories(actorOf(ctx).userId, filtersOf(query), paging);
    respond(ctx, 200, 'transaction histories', page.rows.map(userTransactionDto), pageMeta(page, paging));
  });

  defineRoute(router, openapi, { method: 'get', path: '/api/transaction/me/reports/monthly', summary: "The caller's monthly report: opening and closing balance, totals in and out per type (Asia/Jakarta month)", tag: 'transaction', security: 'bearer', query: MonthlyQuery, responses: { 200: 'report', ...USER }, middleware: user }, async (ctx, { query }) => {
    respond(ctx, 200, 'monthly report', monthlyDto(await queries.monthlyReport(actorOf(ctx).userId, query.year, query.month)));
  });

  defineRoute(router, openapi, { method: 'get', path: '/api/transaction/me/histories/:id', summary: "One of the caller's transactions, by id or transaction_id", tag: 'transaction', security: 'bearer', params: IdParams, responses: { 200: 'transaction', ...USER, 404: 'not found (or not yours)' }, middleware: user }, async (ctx, { params }) => {
    respond(ctx, 200, 'transaction', userTransactionDto(await queries.userTransaction(actorOf(ctx).userId, params.id)));
  });

  // Regulators: externally accessible rows, personal data masked, every request audited.
  defineRoute(router, openapi, { method: 'get', path: '/api/transaction/histories', summary: 'Transactions for regulators (READ_TRANSACTIONS), newest first', tag: 'regulator', security: 'apiKey', query: HistoryQuery, responses: { 200: 'list', ...REGULATOR }, middleware: regulator('READ_TRANSACTIONS') }, async (ctx, { query }) => {
    const paging = pagingOf(query);
    const page = await queries.externalHistories(filtersOf(query), paging);
    respond(ctx, 200, 'transaction histories', page.rows.map(regulatorTransactionDto), pageMeta(page, paging));
  });

  defineRoute(router, openapi, { method: 'get', path: '/api/transaction/histories/export', summary: 'Streamed export (NDJSON or CSV) of the transactions in [from, to), oldest first (READ_TRANSACTIONS)', tag: 'regulator', security: 'apiKey', query: ExportQuery, responses: { 200: 'application/x-ndjson or text/csv stream', ...REGULATOR }, middleware: regulator('READ_TRANSACTIONS') }, async (ctx, { query }) => {
    const rows = queries.exportRows(fromInstant(query.from), toInstant(query.to));
    await streamExport(ctx, rows, query.format);
  });

  defineRoute(router, openapi, { method: 'get', path: '/api/transaction/histories/:id', summary: 'One transaction for regulators, by id or transaction_id (READ_TRANSACTIONS)', tag: 'regulator', security: 'apiKey', params: IdParams, responses: { 200: 'transaction', ...REGULATOR, 404: 'not found' }, middleware: regulator('READ_TRANSACTIONS') }, async (ctx, { params }) => {
    respond(ctx, 200, 'transaction', regulatorTransactionDto(await queries.externalTransaction(params.id)));
  });

  defineRoute(router, openapi, { method: 'get', path: '/api/transaction/reports', summary: 'Totals and a series of count and amount per period, type, status and payment method over Asia/Jakarta days [from, to] (READ_REPORTS)', tag: 'regulator', security: 'apiKey', query: ReportQuery, responses: { 200: 'report', ...REGULATOR }, middleware: regulator('READ_REPORTS') }, async (ctx, { query }) => {
    respond(ctx, 200, 'transaction report', reportDto(await queries.report(query.from, query.to, query.granularity)));
  });

  mountAuditRoute(router, openapi, deps.audit, regulator('READ_AUDIT'));
}

/**
 * Streams rows as they are fetched (bounded batches, keyset pagination), so memory stays flat
 * whatever the size. The first batch is read before answering, so a failure there is still a
 * proper error response; a failure later can only cut the stream (and is audited as a 500).
 */
async function streamExport(ctx: Context, rows: AsyncIterable<TransactionView>, format: 'ndjson' | 'csv'): Promise<void> {
  const it = rows[Symbol.asyncIterator]();
  const first = await it.next();
  const line = format === 'csv' ? csvLine : (t: TransactionView) => JSON.stringify(regulatorTransactionDto(t)) + '\n';
  async function* chunks(): AsyncGenerator<string> {
    let buf = format === 'csv' ? CSV_COLUMNS.join(',') + '\r\n' : '';
    if (!first.done) buf += line(first.value);
    for (let r = await it.next(); !r.done; r = await it.next()) {
      buf += line(r.value);
      if (buf.length >= 64 * 1024) {
        yield buf;
        buf = '';
      }
    }
    if (buf) yield buf;
  }
  const stream = Readable.from(chunks(), { objectMode: false });
  stream.once('error', (err) => {
    ctx.state.streamFailed = true;
    ctx.state.logger?.error({ err }, 'export stream failed');
  });
  ctx.status = 200;
  ctx.type = format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson';
  ctx.set('Content-Disposition', `attachment; filename="transactions.${format}"`);
  ctx.set('Cache-Control', 'no-store');
  ctx.body = stream;
}
