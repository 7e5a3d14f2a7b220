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
import { SHOPEEPAY_PATHS, signShopeePayRequest } from './shopeepay-protocol.ts';
import { SHOPEEPAY_STATEMENT_PATH, parseShopeepayStatement } from './shopeepay-statement.ts';
import { parsedStatement, postForReport, reportCsv } from '../provider-report-http.ts';
import { parseStatementDate } from '../../../domain/reconciliation/reconciliation.ts';
import { EWalletErrors } from '../../../domain/ewallet/ewallet.errors.ts';

export interface ShopeePayOptions {
  baseUrl: string;
  merchantId: string;
  secret: string;
  call: ProviderCallOptions;
  /** Clock for the request tokens' iat (tests make it stale). */
  now?: () => number;
}

const decimal = z.string().regex(/^\d{1,13}\.\d{2}$/);
const userAnswer = z.object({ errcode: z.literal(0), user: z.object({ phone: z.string(), name: z.string(), account_number: z.string() }) });
const balanceAnswer = z.object({
  errcode: z.literal(0),
  balance: z.object({ amount: decimal, currency: z.literal('IDR') }),
  account_number: z.string(),
  last_updated: z.string(),
});
const transactionAnswer = z.object({
  errcode: z.literal(0),
  transaction: z.object({
    reference_id: z.string(),
    transaction_sn: z.string(),
    status: z.enum(['SUCCESS', 'PENDING', 'FAILED']),
    reason: z.string().nullish(),
  }),
});

/**
 * ShopeePay over its merchant-host API: each request is signed with a fresh 60-second HS256 JWT
 * carrying the merchant id and the body's sha256. Every call is idempotent (the top-up's
 * reference_id is our transaction_id), so transient failures are retried; amounts are strings.
 */
export class ShopeePayEWalletProvider implements EWalletProvider {
  readonly method = 'SHOPEE_PAY' as const;
  private readonly opts: ShopeePayOptions;
  private readonly caller: ProviderCaller;
  private readonly now: () => number;

  constructor(opts: ShopeePayOptions, logger: Logger) {
    this.opts = { ...opts, baseUrl: opts.baseUrl.replace(/\/+$/, '') };
    this.now = opts.now ?? Date.now;
    this.caller = new ProviderCaller('ShopeePay', opts.call, logger);
  }

  get breaker() {
    return this.caller.breaker;
  }

  accountInquiry(phone: string): Promise<EWalletAccount | null> {
    return this.caller.call('accountInquiry', true, async () => {
      const a = await this.send(SHOPEEPAY_PATHS.accountCheck, { request_id: randomUUID(), phone });
      if (a.status === 404) return null;
      const { user } = expect(a, userAnswer);
      return { phone: user.phone, name: user.name, accountNumber: user.account_number };
    });
  }

  balanceInquiry(phone: string): Promise<EWalletBalance> {
    return this.caller.call('balanceInquiry', true, async () => {
      const a = await this.send(SHOPEEPAY_PATHS.balance, { request_id: randomUUID(), phone });
      if (a.status === 404) throw EWalletErrors.ewalletAccountNotFound('no ShopeePay wallet for this phone');
      const body = expect(a, balanceAnswer);
      const lastUpdated = new Date(body.last_updated);
      if (Number.isNaN(lastUpdated.getTime())) throw new ProviderError('PROVIDER_ERROR', 'ShopeePay answered an invalid date', false);
      return { balance: Money.parse(body.balance.amount), currency: 'IDR', accountNumber: body.account_number, lastUpdated };
    });
  }

  topUp(req: { reference: string; phone: string; amount: Money }, limits: TopUpCallLimits = {}): Promise<TopUpResult> {
    return this.caller.call(
      'topUp',
      true,
      async () => {
        const a = await this.send(SHOPEEPAY_PATHS.topUp, {
          request_id: randomUUID(),
          reference_id: req.reference,
          phone: req.phone,
          amount: req.amount.toString(),
          currency: 'IDR',
        });
        return toResult(expect(a, transactionAnswer));
      },
      limits.startBy,
    );
  }

  topUpStatus(reference: string): Promise<TopUpInquiry> {
    return this.caller.call('topUpStatus', true, async () => {
      const a = await this.send(SHOPEEPAY_PATHS.topUpCheck, { request_id: randomUUID(), reference_id: reference });
      // No record *now*: unknown, not failed (the request may still be in flight or queued there).
      if (a.status === 404) return { status: 'NOT_FOUND', providerReference: null };
      return toResult(expect(a, transactionAnswer));
    });
  }

  /** The daily transaction report (JWT-signed like every call), parsed; see shopeepay-statement.ts. */
  statement(date: string): Promise<StatementLine[]> {
    return this.caller.call('statement', true, async () => {
      const bodyText = JSON.stringify({ request_id: randomUUID(), date: parseStatementDate(date) });
      const token = signShopeePayRequest(this.opts.merchantId, this.opts.secret, bodyText, this.now());
      const a = await postForReport(
        this.opts.baseUrl + SHOPEEPAY_STATEMENT_PATH,
        { authorization: `Bearer ${token}`, 'x-merchant-id': this.opts.merchantId },
        bodyText,
        this.caller.timeoutMs,
      );
      if (a.status === 401) throw new ProviderError('PROVIDER_ERROR', 'ShopeePay refused our request signature', false);
      const csv = reportCsv('ShopeePay', a);
      return parsedStatement('ShopeePay', () => parseShopeepayStatement(csv));
    });
  }

  private send(path: string, body: unknown): Promise<HttpAnswer> {
    const bodyText = JSON.stringify(body);
    const token = signShopeePayRequest(this.opts.merchantId, this.opts.secret, bodyText, this.now());
    return postJson(this.opts.baseUrl + path, { authorization: `Bearer ${token}`, 'x-merchant-id': this.opts.merchantId }, bodyText, this.caller.timeoutMs);
  }
}

function expect<T>(a: HttpAnswer, schema: z.ZodType<T>): T {
  if (a.status >= 500) throw new ProviderError('PROVIDER_ERROR', `ShopeePay answered ${a.status}`, true);
  if (a.status === 401) throw new ProviderError('PROVIDER_ERROR', 'ShopeePay refused our request signature', false);
  if (a.status !== 200) throw new ProviderError('PROVIDER_ERROR', `ShopeePay answered ${a.status} unexpectedly`, false);
  const parsed = schema.safeParse(a.body);
  if (!parsed.success) throw new ProviderError('PROVIDER_ERROR', 'ShopeePay answered an unexpected body', false);
  return parsed.data;
}

function toResult(body: z.infer<typeof transactionAnswer>): TopUpResult {
  const t = body.transaction;
  const result: TopUpResult = { status: t.status, providerReference: t.transaction_sn };
  if (t.status === 'FAILED') result.reason = t.reason ?? 'DECLINED';
  return result;
}
