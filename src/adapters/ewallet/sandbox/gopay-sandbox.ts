import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Money } from '../../../domain/shared/money.ts';
import {
  GOPAY_PATHS,
  GOPAY_STATUS_CODE,
  basicAuth,
  gopayTimestamp,
  isFresh,
  parseGopayTimestamp,
  sameSignature,
  signGopayNotification,
  signGopayRequest,
} from '../gopay/gopay-protocol.ts';
import type { Answer, RunningSandbox, SandboxOptions } from './sandbox-http.ts';
import { control, csvAnswer, header, parseJson, reportDate, runningSandbox, serve, withBehaviour } from './sandbox-http.ts';
import { GOPAY_STATEMENT_PATH, gopayStatementCsv } from '../gopay/gopay-statement.ts';
import { SandboxWallets, type SandboxTopUp } from './sandbox-wallets.ts';
import { WebhookNotifier } from './webhook-notifier.ts';

export interface GoPayCredentials {
  clientId: string;
  clientSecret: string;
  partnerId: string;
  /** Signs the notifications the sandbox sends to our webhook. */
  webhookSecret: string;
}

export interface GoPaySandboxOptions extends SandboxOptions<GoPayCredentials> {
  tokenTtlSeconds?: number;
}

export interface GoPaySandbox extends RunningSandbox<GoPayCredentials> {
  /** Makes every issued access token expire now (the adapter must fetch a new one on 401). */
  expireTokens(): void;
  tokensIssued(): number;
}

const unauthorized = (code: string, message: string): Answer => ({ status: 401, body: { responseCode: code, responseMessage: `Unauthorized. [${message}]` } });
const badRequest = (code: string, message: string): Answer => ({ status: 400, body: { responseCode: code, responseMessage: message } });

/** A GoPay simulator speaking exactly what GoPayEWalletProvider speaks, on node:http. */
export async function startGoPaySandbox(opts: GoPaySandboxOptions): Promise<GoPaySandbox> {
  const credentials: GoPayCredentials = {
    clientId: opts.credentials?.clientId ?? `sandbox-gopay-${randomBytes(4).toString('hex')}`,
    clientSecret: opts.credentials?.clientSecret ?? randomBytes(32).toString('base64url'),
    partnerId: opts.credentials?.partnerId ?? 'SANDBOXPARTNER',
    webhookSecret: opts.credentials?.webhookSecret ?? randomBytes(32).toString('base64url'),
  };
  const ttlSeconds = opts.tokenTtlSeconds ?? 900;
  const wallets = new SandboxWallets('GOPAY', { seeds: opts.seeds, journal: opts.journal });
  const tokens = new Map<string, number>(); // token → expires at (ms)
  const externalIds = new Set<string>();
  let issued = 0;

  const notifier = new WebhookNotifier(opts.webhookUrl, (raw) => {
    const timestamp = gopayTimestamp();
    return { 'x-timestamp': timestamp, 'x-signature': signGopayNotification(credentials.webhookSecret, raw, timestamp), 'x-partner-id': credentials.partnerId };
  });
  wallets.notify = (t) => notifier.send(notification(t));

  function issueToken(req: IncomingMessage): Answer {
    const ts = header(req, 'x-timestamp');
    if (!ts || !isFresh(parseGopayTimestamp(ts), Date.now())) return unauthorized('4017300', 'Invalid Timestamp');
    const expected = basicAuth(credentials.clientId, credentials.clientSecret);
    if (header(req, 'x-client-key') !== credentials.clientId || !sameSignature(expected, header(req, 'authorization'))) {
      return unauthorized('4017300', 'Unknown Client');
    }
    const accessToken = randomBytes(24).toString('base64url');
    for (const [t, exp] of tokens) if (exp <= Date.now()) tokens.delete(t);
    tokens.set(accessToken, Date.now() + ttlSeconds * 1000);
    issued += 1;
    return { status: 200, body: { responseCode: '2007300', responseMessage: 'Successful', accessToken, tokenType: 'Bearer', expiresIn: String(ttlSeconds) } };
  }

  /** null when the request is authentic, else the 401/409 to answer. */
  function authenticate(req: IncomingMessage, path: string, raw: Buffer): Answer | null {
    const auth = header(req, 'authorization') ?? '';
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    const expiresAt = tokens.get(token);
    if (expiresAt === undefined || expiresAt <= Date.now()) return unauthorized('4017301', 'Invalid Token (B2B)');
    if (header(req, 'x-partner-id') !== credentials.partnerId) return unauthorized('4017300', 'Unknown Partner');
    const ts = header(req, 'x-timestamp');
    if (!ts || !isFresh(parseGopayTimestamp(ts), Date.now())) return unauthorized('4017300', 'Invalid Timestamp');
    const expected = signGopayRequest(credentials.clientSecret, req.method ?? 'POST', path, token, raw.toString('utf8'), ts);
    if (!sameSignature(expected, header(req, 'x-signature'))) return unauthorized('4017300', 'Signature');
    const externalId = header(req, 'x-external-id');
    if (!externalId) return badRequest('4007302', 'Missing Mandatory Field X-EXTERNAL-ID');
    if (externalIds.has(externalId)) return { status: 409, body: { responseCode: '4097300', responseMessage: 'Conflict: X-EXTERNAL-ID already used' } };
    if (externalIds.size > 100_000) externalIds.clear();
    externalIds.add(externalId);
    return null;
  }

  const server = await serve(
    async (req, path, raw) => {
      const ctl = control(wallets, req.method ?? 'GET', path, raw);
      if (ctl) return ctl;
      if (req.method !== 'POST') return { status: 405, body: { responseCode: '4050000', responseMessage: 'Method Not Allowed' } };
      if (path === GOPAY_PATHS.token) return withBehaviour(wallets, 'token', () => issueToken(req));
      try {
        JSON.parse(raw.toString('utf8'));
      } catch {
        return badRequest('4000001', 'Invalid JSON');
      }
      const denied = authenticate(req, path, raw);
      if (denied) return denied;
      const body = parseJson(raw);
      switch (path) {
        case GOPAY_PATHS.accountInquiry:
          return withBehaviour(wallets, 'account', () => {
            const w = wallets.wallet(String(body.customerNumber ?? ''));
            if (!w) return { status: 404, body: { responseCode: '4043711', responseMessage: 'Invalid Account' } };
            return {
              status: 200,
              body: { responseCode: '2003700', responseMessage: 'Successful', customerNumber: w.phone, customerName: w.name, accountNumber: w.accountNumber },
            };
          });
        case GOPAY_PATHS.balanceInquiry:
          return withBehaviour(wallets, 'balance', () => {
            const w = wallets.wallet(String(body.accountNo ?? ''));
            if (!w) return { status: 404, body: { responseCode: '4041111', responseMessage: 'Invalid Account' } };
            return {
              status: 200,
              body: {
                responseCode: '2001100',
                responseMessage: 'Successful',
                accountNo: w.accountNumber,
                name: w.name,
                accountInfos: [{ balanceType: 'Cash', amount: { value: w.balance.toString(), currency: 'IDR' } }],
                lastUpdated: w.lastUpdated.toISOString(),
              },
            };
          });
        case GOPAY_PATHS.topUp: {
          const amount = body.amount as { value?: unknown; currency?: unknown } | undefined;
          const ref = body.partnerReferenceNo;
          if (typeof ref !== 'string' || ref.length < 1 || ref.length > 64 || typeof body.customerNumber !== 'string') {
            return badRequest('4003802', 'Invalid Mandatory Field');
          }
          if (typeof amount?.value !== 'string' || !/^\d{1,13}\.\d{2}$/.test(amount.value) || amount.currency !== 'IDR') {
            return badRequest('4003801', 'Invalid Field Format amount');
          }
          const value = Money.parse(amount.value);
          return withBehaviour(wallets, 'topup', (b) => {
            const t = wallets.applyTopUp(ref, String(body.customerNumber), value, b);
            return {
              status: 200,
              body: {
                responseCode: '2003800',
                responseMessage: 'Successful',
                referenceNo: t.providerReference,
                partnerReferenceNo: t.reference,
                ...statusFields(t),
              },
            };
          });
        }
        case GOPAY_PATHS.topUpStatus:
          return withBehaviour(wallets, 'status', () => {
            const t = wallets.topUp(String(body.originalPartnerReferenceNo ?? ''));
            if (!t) return { status: 404, body: { responseCode: '4043901', responseMessage: 'Transaction Not Found' } };
            return {
              status: 200,
              body: {
                responseCode: '2003900',
                responseMessage: 'Successful',
                originalPartnerReferenceNo: t.reference,
                originalReferenceNo: t.providerReference,
                serviceCode: '38',
                ...statusFields(t),
              },
            };
          });
        case GOPAY_STATEMENT_PATH: {
          const date = reportDate(body.reportDate);
          if (!date) return badRequest('4007301', 'Invalid Field Format reportDate');
          return withBehaviour(wallets, 'statement', () => csvAnswer(gopayStatementCsv(wallets.statement(date))));
        }
        default:
          return { status: 404, body: { responseCode: '4040000', responseMessage: 'Not Found' } };
      }
    },
    opts.host,
    opts.port,
  );

  return {
    ...runningSandbox(server, credentials, wallets, notifier),
    expireTokens: () => {
      for (const k of tokens.keys()) tokens.set(k, 0);
    },
    tokensIssued: () => issued,
  };
}

function statusFields(t: SandboxTopUp) {
  return {
    latestTransactionStatus: GOPAY_STATUS_CODE[t.status],
    transactionStatusDesc: t.status === 'FAILED' ? (t.reason ?? 'DECLINED') : t.status === 'SUCCESS' ? 'Success' : 'Pending',
    amount: { value: t.amount.toString(), currency: 'IDR' },
  };
}

function notification(t: SandboxTopUp) {
  return {
    originalPartnerReferenceNo: t.reference,
    originalReferenceNo: t.providerReference,
    customerNumber: t.phone,
    finishedTime: t.updatedAt.toISOString(),
    ...statusFields(t),
  };
}
