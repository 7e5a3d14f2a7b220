import { Readable } from 'node:stream';
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { AccessTokenVerifier } from '../../../application/ports/access-token.ts';
import type { AccessLogSink } from '../../../domain/regulator/regulator.ports.ts';
import type { AuditLog } from '../../../domain/audit/audit-log.ts';
import type { Permission } from '../../../domain/regulator/permissions.ts';
import { mountAuditRoute } from './audit.route.ts';
import type { RegulatorAuthenticator } from '../../../application/regulator/regulator-authenticator.ts';
import type { TransactionView } from '../../../domain/transaction/transaction-read.ports.ts';
import type { TransactionQueries } from '../../../application/transaction/transaction-queries.ts';
import { actorOf, authenticate } from '../authenticate.ts';
import { respond } from '../envelope.ts';
import type { OpenApiRegistry } from '../openapi.ts';
import { defineRoute } from '../route.ts';
import { auditRegulatorRequests, refuseKeyInQuery, requireApiKey } from './regulator-gate.ts';
import { z } from 'zod';
import {
  CSV_COLUMNS,
  csvLine,
  HistoryTransactionSchema,
  monthlyDto,
  MonthlyReportSchema,
  pageMeta,
  PageMetaSchema,
  RegulatorTransactionSchema,
  regulatorTransactionDto,
  reportDto,
  ReportSchema,
  userTransactionDto,
} from './transaction.dto.ts';
import { ExportQuery, filtersOf, fromInstant, HistoryQuery, IdParams, MonthlyQuery, pagingOf, ReportQuery, toInstant } from './transaction.requests.ts';

export interface TransactionRouteDeps {
  queries: TransactionQueries;
  accessTokens: AccessTokenVerifier;
  regulators: RegulatorAuthenticator;
  accessLog: AccessLogSink;
  audit: AuditLog;
}

const LIST_ERRORS = { 400: ['INVALID_RANGE', 'INVALID_CURSOR'] };
/** What the regulator gate in front of every regulator route answers. */
const REGULATOR = {
  400: { codes: ['API_KEY_IN_QUERY'], description: 'Bad Request: validation failed, or an API key in the query string (API_KEY_IN_QUERY)' },
  401: ['API_KEY_MISSING', 'API_KEY_INVALID', 'API_KEY_INACTIVE', 'API_KEY_REVOKED', 'API_KEY_EXPIRED', 'SERVICE_INACTIVE'],
  403: ['IP_NOT_ALLOWED', 'PERMISSION_DENIED'],
  429: {
    codes: ['RATE_LIMITED'],
    description: "Too Many Requests: over one of the key's limits (Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset)",
  },
  503: ['RATE_LIMITER_UNAVAILABLE'],
};
const RATE_HEADERS = {
  'X-RateLimit-Limit': 'requests allowed in the tightest window',
  'X-RateLimit-Remaining': 'requests left in it',
  'X-RateLimit-Reset': 'seconds until it resets',
};
const HISTORY_META = PageMetaSchema;
const NDJSON_EXAMPLE = JSON.stringify((z.globalRegistry.get(RegulatorTransactionSchema)?.examples as unknown[])[0]) + '\n';
const CSV_EXAMPLE = `${CSV_COLUMNS.join(',')}\r\n0b7d3f5c-6a55-4a43-9c4e-2f0f8f7a9d10,TRX-20261201-4F2A9C1B7E,TOPUP,SUCCESS,50000.00,IDR,GOPAY,GP-8f1c2d3e4b5a,2026-12-01T08:15:30.123Z,2026-12-01T08:15:31.456Z,5d3c1e0a-2b4f-4e6a-8c9d-0e1f2a3b4c5d,42,+62812****7890\r\n`;

export function mountTransactionRoutes(router: Router, openapi: OpenApiRegistry, deps: TransactionRouteDeps): void {
  const { queries } = deps;
  const user = [authenticate(deps.accessTokens)];
  const regulator = (permission: Permission) => [auditRegulatorRequests(deps.accessLog), refuseKeyInQuery(), requireApiKey(deps.regulators, permission)];

  // Users: only their own rows.
  defineRoute(
    router,
    openapi,
    {
      method: 'get',
      path: '/api/transaction/me/histories',
      operationId: 'listMyTransactions',
      summary: "The caller's transactions, newest first (page/size or cursor)",
      tag: 'transaction',
      security: 'bearer',
      query: HistoryQuery,
      responses: { 200: { description: 'transaction histories', data: z.array(HistoryTransactionSchema), meta: HISTORY_META } },
      errors: LIST_ERRORS,
      middleware: user,
    },
    async (ctx, { query }) => {
      const paging = pagingOf(query);
      const page = await queries.userHistories.execute(actorOf(ctx).userId, filtersOf(query), paging);
      respond(ctx, 200, 'transaction histories', page.rows.map(userTransactionDto), pageMeta(page, paging));
    },
  );

  defineRoute(
    router,
    openapi,
    {
      method: 'get',
      path: '/api/transaction/me/reports/monthly',
      operationId: 'getMyMonthlyReport',
      summary: "The caller's monthly report: opening and closing balance, totals in and out per type (Asia/Jakarta month)",
      tag: 'transaction',
      security: 'bearer',
      query: MonthlyQuery,
      responses: { 200: { description: 'monthly report', data: MonthlyReportSchema } },
      middleware: user,
    },
    async (ctx, { query }) => {
      respond(ctx, 200, 'monthly report', monthlyDto(await queries.monthlyReport.execute(actorOf(ctx).userId, query.year, query.month)));
    },
  );

  defineRoute(
    router,
    openapi,
    {
      method: 'get',
      path: '/api/transaction/me/histories/:id',
      operationId: 'getMyTransaction',
      summary: "One of the caller's transactions, by id or transaction_id",
      tag: 'transaction',
      security: 'bearer',
      params: IdParams,
      responses: { 200: { description: 'transaction', data: HistoryTransactionSchema } },
      errors: { 404: ['TRANSACTION_NOT_FOUND'] },
      middleware: user,
    },
    async (ctx, { params }) => {
      respond(ctx, 200, 'transaction', userTransactionDto(await queries.userTransaction.execute(actorOf(ctx).userId, params.id)));
    },
  );

  // Regulators: externally accessible rows, personal data masked, every request audited.
  defineRoute(
    router,
    openapi,
    {
      method: 'get',
      path: '/api/transaction/histories',
      operationId: 'listTransactions',
      summary: 'Transactions for regulators (READ_TRANSACTIONS), newest first',
      tag: 'regulator',
      security: 'apiKey',
      query: HistoryQuery,
      responses: { 200: { description: 'transaction histories', data: z.array(RegulatorTransactionSchema), meta: HISTORY_META, headers: RATE_HEADERS } },
      errors: { ...REGULATOR, 400: { ...REGULATOR[400], codes: [...REGULATOR[400].codes, ...LIST_ERRORS[400]] } },
      middleware: regulator('READ_TRANSACTIONS'),
    },
    async (ctx, { query }) => {
      const paging = pagingOf(query);
      const page = await queries.externalHistories.execute(filtersOf(query), paging);
      respond(ctx, 200, 'transaction histories', page.rows.map(regulatorTransactionDto), pageMeta(page, paging));
    },
  );

  defineRoute(
    router,
    openapi,
    {
      method: 'get',
      path: '/api/transaction/histories/export',
      operationId: 'exportTransactions',
      summary: 'Streamed export (NDJSON or CSV) of the transactions in [from, to), oldest first (READ_TRANSACTIONS)',
      description:
        'format=ndjson (the default): one RegulatorTransaction JSON object per line. format=csv: RFC 4180, a header line, CRLF line ends, the user as user_id and user_phone (masked); text a spreadsheet would run as a formula is prefixed with a quote. Streamed in bounded batches whatever the size, sent as an attachment.',
      tag: 'regulator',
      security: 'apiKey',
      query: ExportQuery,
      responses: {
        200: {
          description: 'the rows, streamed',
          headers: { ...RATE_HEADERS, 'Content-Disposition': 'attachment; filename="transactions.ndjson" (or .csv)' },
          content: {
            'application/x-ndjson': {
              schema: z.string().describe('one RegulatorTransaction (see the schema of that name) per line, each line ending with \\n'),
              example: NDJSON_EXAMPLE,
            },
            'text/csv': { schema: z.string().describe(`columns: ${CSV_COLUMNS.join(', ')}`), example: CSV_EXAMPLE },
          },
        },
      },
      errors: { ...REGULATOR, 400: { ...REGULATOR[400], codes: [...REGULATOR[400].codes, 'INVALID_RANGE'] } },
      middleware: regulator('READ_TRANSACTIONS'),
    },
    async (ctx, { query }) => {
      const rows = queries.exportRows.execute(fromInstant(query.from), toInstant(query.to));
      await streamExport(ctx, rows, query.format);
    },
  );

  defineRoute(
    router,
    openapi,
    {
      method: 'get',
      path: '/api/transaction/histories/:id',
      operationId: 'getTransaction',
      summary: 'One transaction for regulators, by id or transaction_id (READ_TRANSACTIONS)',
      tag: 'regulator',
      security: 'apiKey',
      params: IdParams,
      responses: { 200: { description: 'transaction', data: RegulatorTransactionSchema, headers: RATE_HEADERS } },
      errors: { ...REGULATOR, 404: ['TRANSACTION_NOT_FOUND'] },
      middleware: regulator('READ_TRANSACTIONS'),
    },
    async (ctx, { params }) => {
      respond(ctx, 200, 'transaction', regulatorTransactionDto(await queries.externalTransaction.execute(params.id)));
    },
  );

  defineRoute(
    router,
    openapi,
    {
      method: 'get',
      path: '/api/transaction/reports',
      operationId: 'getReport',
      summary:
        'Totals and a series of count and amount per period, type, status and payment method over Asia/Jakarta days [from, to], and the movements refused by rule (Bank Indonesia limits, freezes, fraud rules) over the same days (READ_REPORTS)',
      tag: 'regulator',
      security: 'apiKey',
      query: ReportQuery,
      responses: { 200: { description: 'transaction report', data: ReportSchema, headers: RATE_HEADERS } },
      errors: { ...REGULATOR, 400: { ...REGULATOR[400], codes: [...REGULATOR[400].codes, 'INVALID_RANGE'] } },
      middleware: regulator('READ_REPORTS'),
    },
    async (ctx, { query }) => {
      respond(ctx, 200, 'transaction report', reportDto(await queries.report.execute(query.from, query.to, query.granularity)));
    },
  );

  mountAuditRoute(
    router,
    openapi,
    deps.audit,
    regulator('READ_AUDIT'),
    { ...REGULATOR, 400: { ...REGULATOR[400], codes: [...REGULATOR[400].codes, ...LIST_ERRORS[400]] } },
    RATE_HEADERS,
  );
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
