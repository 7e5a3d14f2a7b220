import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import type {
  EWalletAccount,
  EWalletBalance,
  EWalletProvider,
  StatementLine,
  TopUpCallLimits,
  TopUpInquiry,
  TopUpResult,
} from '../../../domain/ewallet/ewallet-provider.ts';
import { Money } from '../../../domain/shared/money.ts';
import { type HttpAnswer, type ProviderCallOptions, ProviderCaller, ProviderError, postJson } from '../provider-http.ts';
import { GOPAY_PATHS, GOPAY_STATUS, basicAuth, gopayTimestamp, signGopayRequest } from './gopay-protocol.ts';
import { GOPAY_STATEMENT_PATH, parseGopayStatement } from './gopay-statement.ts';
import { type ReportAnswer, parsedStatement, postForReport, reportCsv } from '../provider-report-http.ts';
import { parseStatementDate } from '../../../domain/reconciliation/reconciliation.ts';
import { EWalletErrors } from '../../../domain/ewallet/ewallet.errors.ts';

export interface GoPayOptions {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  partnerId: string;
  call: ProviderCallOptions;
}

const decimal = z.string().regex(/^\d{1,13}\.\d{2}$/);
const tokenAnswer = z.object({ accessToken: z.string().min(1), expiresIn: z.union([z.string(), z.number()]) });
const accountAnswer = z.object({ customerNumber: z.string(), customerName: z.string(), accountNumber: z.string() });
const balanceAnswer = z.object({
  accountNo: z.string(),
  accountInfos: z.array(z.object({ amount: z.object({ value: decimal, currency: z.literal('IDR') }) })).min(1),
  lastUpdated: z.string(),
});
const transactionAnswer = z.object({
  referenceNo: z.string().optional(),
  originalReferenceNo: z.string().optional(),
  latestTransactionStatus: z.enum(['00', '03', '06']),
  transactionStatusDesc: z.string().optional(),
});

/** Refresh the token this long before GoPay says it expires, to absorb clock skew and latency. */
const TOKEN_EARLY_REFRESH_MS = 30_000;

/**
 * GoPay over its SNAP-style API: an OAuth2 client-credentials token (cached until shortly before
 * it expires, fetched again once when a call answers 401), then every request signed with
 * HMAC-SHA512. Every call is idempotent (the top-up's partnerReferenceNo is our transaction_id),
 * so transient failures are retried; amounts travel as "10000.00" strings.
 */
export class GoPayEWalletProvider implements EWalletProvider {
  readonly method = 'GOPAY' as const;
  private readonly opts: GoPayOptions;
  private readonly caller: ProviderCaller;
  private token: { value: string; expiresAt: number } | null = null;
  private tokenRequest: Promise<string> | null = null;

  constructor(opts: GoPayOptions, logger: Logger) {
    this.opts = { ...opts, baseUrl: opts.baseUrl.replace(/\/+$/, '') };
    this.caller = new ProviderCaller('GoPay', opts.call, logger);
  }

  get breaker() {
    return this.caller.breaker;
  }

  accountInquiry(phone: string): Promise<EWalletAccount | null> {
    return this.caller.call('accountInquiry', true, async () => {
      const a = await this.send(GOPAY_PATHS.accountInquiry, { partnerReferenceNo: randomUUID(), customerNumber: phone });
      if (a.status === 404) return null;
      const body = expect(a, 200, accountAnswer);
      return { phone: body.customerNumber, name: body.customerName, accountNumber: body.accountNumber };
    });
  }

  balanceInquiry(phone: string): Promise<EWalletBalance> {
    return this.caller.call('balanceInquiry', true, async () => {
      const a = await this.send(GOPAY_PATHS.balanceInquiry, { partnerReferenceNo: randomUUID(), accountNo: phone });
      if (a.status === 404) throw EWalletErrors.ewalletAccountNotFound('no GoPay wallet for this phone');
      const body = expect(a, 200, balanceAnswer);
      return {
        balance: Money.parse(body.accountInfos[0]!.amount.value),
        currency: 'IDR',
        accountNumber: body.accountNo,
        lastUpdated: validDate(body.lastUpdated),
      };
    });
  }

  topUp(req: { reference: string; phone: string; amount: Money }, limits: TopUpCallLimits = {}): Promise<TopUpResult> {
    return this.caller.call(
      'topUp',
      true,
      async () => {
        const a = await this.send(GOPAY_PATHS.topUp, {
          partnerReferenceNo: req.reference,
          customerNumber: req.phone,
          amount: { value: req.amount.toString(), currency: 'IDR' },
          feeType: 'OUR',
        });
        return toResult(expect(a, 200, transactionAnswer));
      },
      limits.startBy,
    );
  }

  topUpStatus(reference: string): Promise<TopUpInquiry> {
    return this.caller.call('topUpStatus', true, async () => {
      const a = await this.send(GOPAY_PATHS.topUpStatus, { originalPartnerReferenceNo: reference, serviceCode: '38' });
      // No record *now*: unknown, not failed (the request may still be in flight or queued there).
      if (a.status === 404) return { status: 'NOT_FOUND', providerReference: null };
      return toResult(expect(a, 200, transactionAnswer));
    });
  }

  /** The daily transaction report (signed like every call), parsed; see gopay-statement.ts. */
  statement(date: string): Promise<StatementLine[]> {
    return this.caller.call('statement', true, async () => {
      const bodyText = JSON.stringify({ reportDate: parseStatementDate(date) });
      const first = await this.accessToken();
      let a = await this.signedReportPost(bodyText, first);
      if (a.status === 401) {
        if (this.token?.value === first) this.token = null;
        a = await this.signedReportPost(bodyText, await this.accessToken());
        if (a.status === 401) throw new ProviderError('PROVIDER_ERROR', 'GoPay refused our credentials', false);
      }
      const csv = reportCsv('GoPay', a);
      return parsedStatement('GoPay', () => parseGopayStatement(csv));
    });
  }

  private signedReportPost(bodyText: string, token: string): Promise<ReportAnswer> {
    const timestamp = gopayTimestamp();
    return postForReport(
      this.opts.baseUrl + GOPAY_STATEMENT_PATH,
      {
        authorization: `Bearer ${token}`,
        'x-timestamp': timestamp,
        'x-signature': signGopayRequest(this.opts.clientSecret, 'POST', GOPAY_STATEMENT_PATH, token, bodyText, timestamp),
        'x-partner-id': this.opts.partnerId,
        'x-external-id': randomUUID(),
        'channel-id': '95221',
      },
      bodyText,
      this.caller.timeoutMs,
    );
  }

  /** A signed request; a 401 drops the cached token and tries once more with a fresh one. */
  private async send(path: string, body: unknown): Promise<HttpAnswer> {
    const bodyText = JSON.stringify(body);
    const first = await this.accessToken();
    const answer = await this.signedPost(path, bodyText, first);
    if (answer.status !== 401) return answer;
    if (this.token?.value === first) this.token = null;
    const retry = await this.signedPost(path, bodyText, await this.accessToken());
    if (retry.status === 401) throw new ProviderError('PROVIDER_ERROR', 'GoPay refused our credentials', false);
    return retry;
  }

  private signedPost(path: string, bodyText: string, token: string): Promise<HttpAnswer> {
    const timestamp = gopayTimestamp();
    return postJson(
      this.opts.baseUrl + path,
      {
        authorization: `Bearer ${token}`,
        'x-timestamp': timestamp,
        'x-signature': signGopayRequest(this.opts.clientSecret, 'POST', path, token, bodyText, timestamp),
        'x-partner-id': this.opts.partnerId,
        'x-external-id': randomUUID(),
        'channel-id': '95221',
      },
      bodyText,
      this.caller.timeoutMs,
    );
  }

  /** The cached token, or one fetch shared by every caller that needs a new one. */
  private accessToken(): Promise<string> {
    if (this.token && Date.now() < this.token.expiresAt) return Promise.resolve(this.token.value);
    this.tokenRequest ??= this.fetchToken().finally(() => {
      this.tokenRequest = null;
    });
    return this.tokenRequest;
  }

  private async fetchToken(): Promise<string> {
    const a = await postJson(
      this.opts.baseUrl + GOPAY_PATHS.token,
      { authorization: basicAuth(this.opts.clientId, this.opts.clientSecret), 'x-client-key': this.opts.clientId, 'x-timestamp': gopayTimestamp() },
      JSON.stringify({ grantType: 'client_credentials' }),
      this.caller.timeoutMs,
    );
    if (a.status === 401) throw new ProviderError('PROVIDER_ERROR', 'GoPay refused our client credentials', false);
    const body = expect(a, 200, tokenAnswer);
    const ttlMs = Number(body.expiresIn) * 1000;
    if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new ProviderError('PROVIDER_ERROR', 'GoPay token has no valid expiry', false);
    this.token = { value: body.accessToken, expiresAt: Date.now() + Math.max(ttlMs - TOKEN_EARLY_REFRESH_MS, ttlMs / 2) };
    return body.accessToken;
  }
}

/** The body of an answer with the expected status, or PROVIDER_ERROR (transient for 5xx). */
function expect<T>(a: HttpAnswer, status: number, schema: z.ZodType<T>): T {
  if (a.status >= 500) throw new ProviderError('PROVIDER_ERROR', `GoPay answered ${a.status}`, true);
  if (a.status !== status) throw new ProviderError('PROVIDER_ERROR', `GoPay answered ${a.status} unexpectedly`, false);
  const parsed = schema.safeParse(a.body);
  if (!parsed.success) throw new ProviderError('PROVIDER_ERROR', 'GoPay answered an unexpected body', false);
  return parsed.data;
}

function toResult(body: z.infer<typeof transactionAnswer>): TopUpResult {
  const status = GOPAY_STATUS[body.latestTransactionStatus]!;
  const result: TopUpResult = { status, providerReference: body.referenceNo ?? body.originalReferenceNo ?? null };
  if (status === 'FAILED') result.reason = body.transactionStatusDesc ?? 'DECLINED';
  return result;
}

function validDate(text: string): Date {
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) throw new ProviderError('PROVIDER_ERROR', 'GoPay answered an invalid date', false);
  return d;
}
