import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { DomainError } from '../../../domain/shared/domain-error.ts';
import { Money } from '../../../domain/shared/money.ts';
import { SHOPEEPAY_PATHS, signShopeePayNotification, verifyShopeePayRequest } from '../shopeepay/shopeepay-protocol.ts';
import type { Answer, RunningSandbox, SandboxOptions } from './sandbox-http.ts';
import { control, csvAnswer, header, parseJson, reportDate, runningSandbox, serve, withBehaviour } from './sandbox-http.ts';
import { SHOPEEPAY_STATEMENT_PATH, shopeepayStatementCsv } from '../shopeepay/shopeepay-statement.ts';
import { SandboxWallets, type SandboxTopUp } from './sandbox-wallets.ts';
import { WebhookNotifier } from './webhook-notifier.ts';

export interface ShopeePayCredentials {
  merchantId: string;
  secret: string;
  /** Signs the notifications the sandbox sends to our webhook. */
  webhookSecret: string;
}

export type ShopeePaySandboxOptions = SandboxOptions<ShopeePayCredentials>;
export type ShopeePaySandbox = RunningSandbox<ShopeePayCredentials>;

const error = (status: number, errcode: number, debug: string): Answer => ({ status, body: { errcode, debug_msg: debug } });

/** A ShopeePay simulator speaking exactly what ShopeePayEWalletProvider speaks, on node:http. */
export async function startShopeePaySandbox(opts: ShopeePaySandboxOptions): Promise<ShopeePaySandbox> {
  const credentials: ShopeePayCredentials = {
    merchantId: opts.credentials?.merchantId ?? `sandbox-merchant-${randomBytes(4).toString('hex')}`,
    secret: opts.credentials?.secret ?? randomBytes(32).toString('base64url'),
    webhookSecret: opts.credentials?.webhookSecret ?? randomBytes(32).toString('base64url'),
  };
  const wallets = new SandboxWallets('SHOPEE_PAY', { seeds: opts.seeds, journal: opts.journal });
  const seenJti = new Map<string, number>(); // jti → exp, so a captured request cannot be replayed

  const notifier = new WebhookNotifier(opts.webhookUrl, (raw) => {
    const timestamp = String(Math.floor(Date.now() / 1000));
    return { 'x-sp-timestamp': timestamp, 'x-sp-signature': signShopeePayNotification(credentials.webhookSecret, raw, timestamp) };
  });
  wallets.notify = (t) => notifier.send({ ...transactionJson(t), updated_at: t.updatedAt.toISOString() });

  function authenticate(req: IncomingMessage, raw: Buffer): Answer | null {
    const auth = header(req, 'authorization') ?? '';
    if (!auth.startsWith('Bearer ') || header(req, 'x-merchant-id') !== credentials.merchantId) return error(401, 401, 'missing token or unknown merchant');
    try {
      const claims = verifyShopeePayRequest(auth.slice(7), credentials.secret, credentials.merchantId, raw);
      if (seenJti.has(claims.jti)) return error(401, 401, 'token replayed');
      const now = Date.now() / 1000;
      for (const [k, exp] of seenJti) if (exp < now - 60) seenJti.delete(k);
      seenJti.set(claims.jti, claims.exp);
      return null;
    } catch (err) {
      if (err instanceof DomainError) return { status: 401, body: { errcode: 401, debug_msg: err.message, error: err.code } };
      throw err;
    }
  }

  const server = await serve(
    async (req, path, raw) => {
      const ctl = control(wallets, req.method ?? 'GET', path, raw);
      if (ctl) return ctl;
      if (req.method !== 'POST') return error(405, 405, 'method not allowed');
      const denied = authenticate(req, raw);
      if (denied) return denied;
      const body = parseJson(raw);
      switch (path) {
        case SHOPEEPAY_PATHS.accountCheck:
          return withBehaviour(wallets, 'account', () => {
            const w = wallets.wallet(String(body.phone ?? ''));
            if (!w) return error(404, 2, 'user not found');
            return { status: 200, body: { errcode: 0, debug_msg: 'success', user: { phone: w.phone, name: w.name, account_number: w.accountNumber } } };
          });
        case SHOPEEPAY_PATHS.balance:
          return withBehaviour(wallets, 'balance', () => {
            const w = wallets.wallet(String(body.phone ?? ''));
            if (!w) return error(404, 2, 'user not found');
            return {
              status: 200,
              body: {
                errcode: 0,
                debug_msg: 'success',
                balance: { amount: w.balance.toString(), currency: 'IDR' },
                account_number: w.accountNumber,
                last_updated: w.lastUpdated.toISOString(),
              },
            };
          });
        case SHOPEEPAY_PATHS.topUp: {
          const ref = body.reference_id;
          if (typeof ref !== 'string' || ref.length < 1 || ref.length > 64 || typeof body.phone !== 'string')
            return error(400, 1, 'reference_id and phone are required');
          if (typeof body.amount !== 'string' || !/^\d{1,13}\.\d{2}$/.test(body.amount) || body.currency !== 'IDR')
            return error(400, 1, 'amount must be a "0.00" string in IDR');
          const amount = Money.parse(body.amount);
          return withBehaviour(wallets, 'topup', (b) => {
            const t = wallets.applyTopUp(ref, String(body.phone), amount, b);
            return { status: 200, body: { errcode: 0, debug_msg: 'success', transaction: transactionJson(t) } };
          });
        }
        case SHOPEEPAY_PATHS.topUpCheck:
          return withBehaviour(wallets, 'status', () => {
            const t = wallets.topUp(String(body.reference_id ?? ''));
            if (!t) return error(404, 3, 'transaction not found');
            return { status: 200, body: { errcode: 0, debug_msg: 'success', transaction: transactionJson(t) } };
          });
        case SHOPEEPAY_STATEMENT_PATH: {
          const date = reportDate(body.date);
          if (!date) return error(400, 1, 'date must be YYYY-MM-DD');
          return withBehaviour(wallets, 'statement', () => csvAnswer(shopeepayStatementCsv(wallets.statement(date))));
        }
        default:
          return error(404, 404, 'not found');
      }
    },
    opts.host,
    opts.port,
  );

  return runningSandbox(server, credentials, wallets, notifier);
}

function transactionJson(t: SandboxTopUp) {
  return {
    reference_id: t.reference,
    transaction_sn: t.providerReference,
    status: t.status,
    reason: t.reason ?? null,
    amount: t.amount.toString(),
    currency: 'IDR',
    phone: t.phone,
  };
}
