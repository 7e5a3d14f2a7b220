import type Router from '@koa/router';
import type { Container } from 'inversify';
import type { Context, Middleware } from 'koa';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { OpenApiRegistry } from '../openapi.ts';
import { defineRoute } from '../route.ts';
import { respond } from '../envelope.ts';
import { actorOf, authenticate, requireRole } from '../authenticate.ts';
import { idempotent, type IdempotentResponse, type RequestIdempotency } from '../idempotency.ts';
import type { AccessTokenVerifier } from '../../../application/ports/access-token.ts';
import type { TransactionHandle } from '../../../domain/ledger/ledger.repository.ts';
import type { LedgerTransaction } from '../../../domain/ledger/transaction.ts';
import type { TopUpOutcome } from '../../../application/payment/top-up/top-up.handler.ts';
import type { TransferResult } from '../../../application/payment/create-transfer/create-transfer.handler.ts';
import { TOKENS } from '../../../entrypoints/shared/tokens.ts';
import { limitsDto, accountDto, recipientDto, transactionDto } from './payment.dto.ts';
import { MerchantParams, PaymentRequest, RecipientLookupRequest, RefundRequest, TopUpRequest, TransactionParams, TransferRequest, WalletQuery } from './payment.requests.ts';
import type { PaymentHandlers } from './payment-handlers.ts';

const TAG = 'payment';
const COMMON = { 400: 'validation failed', 401: 'missing or invalid access token', 403: 'account not active', 404: 'account not found' };
const MONEY_ERRORS = { ...COMMON, 409: 'Idempotency-Key in flight', 422: 'insufficient balance, or Idempotency-Key reused with another body' };

/** Stores the response with the effect when the client sent an Idempotency-Key. */
function store(ctx: Context, response: IdempotentResponse) {
  return (tx: TransactionHandle) => (ctx.state.idempotency as RequestIdempotency | undefined)?.complete(tx as unknown as EntityManager, response) ?? Promise.resolve();
}

function topUpResponse(o: TopUpOutcome): { status: number; body: { meta: Record<string, unknown>; data: unknown } } {
  if (o.kind === 'success') return { status: 201, body: { meta: { code: '201', message: 'top up successful' }, data: transactionDto(o.transaction) } };
  if (o.kind === 'pending') return { status: 202, body: { meta: { code: '202', message: 'top up pending' }, data: transactionDto(o.transaction) } };
  const status = o.code === 'TOPUP_DECLINED' ? 422 : 502;
  return {
    status,
    body: {
      meta: { code: String(status), message: o.message, error: o.code, transaction_id: o.transaction.transactionId, refund_transaction_id: o.release?.transactionId ?? null },
      data: null,
    },
  };
}

function storedResponse(o: TopUpOutcome): IdempotentResponse {
  const r = topUpResponse(o);
  const { code: _code, message, ...meta } = r.body.meta;
  return { status: r.status, message: String(message), data: r.body.data, meta };
}

/** The /api/payment routes. Controllers parse, call one use case with the actor, and map the result. */
export function paymentRoutes(router: Router, openapi: OpenApiRegistry, container: Container, handlers: PaymentHandlers): void {
  const auth: Middleware = authenticate(container.get<AccessTokenVerifier>(TOKENS.AccessTokens));
  const once = (route: string) => idempotent(container, route);

  defineRoute(router, openapi, { method: 'get', path: '/api/payment/account', summary: 'The caller\'s account, with its KYC tier (UNREGISTERED or REGISTERED), the limits of that tier (max_balance, monthly_incoming, transfers_to_others; Bank Indonesia PBI 20/6/PBI/2018 as revised in 2022) and what remains now (balance room, incoming left this calendar month in Asia/Jakarta). Movements that would break a limit are refused with 422 BALANCE_LIMIT_EXCEEDED, MONTHLY_LIMIT_EXCEEDED or KYC_REQUIRED.', tag: TAG, security: 'bearer', responses: { 200: 'the account', 401: COMMON[401], 404: COMMON[404] }, middleware: [auth] }, async (ctx) => {
    const account = await handlers.getAccount.account(actorOf(ctx).userId);
    const view = await handlers.getAccount.limits(account);
    respond(ctx, 200, 'account', { ...accountDto(account), ...(view ? { limits: limitsDto(view) } : {}) });
  });

  defineRoute(router, openapi, { method: 'get', path: '/api/payment/balance', summary: 'The caller\'s balance (cached, invalidated on every change)', tag: TAG, security: 'bearer', responses: { 200: 'the balance', 401: COMMON[401], 404: COMMON[404] }, middleware: [auth] }, async (ctx) => {
    const b = await handlers.getAccount.balance(actorOf(ctx).userId);
    respond(ctx, 200, 'balance', { balance: b.balance.toString(), currency: b.currency });
  });

  defineRoute(
    router,
    openapi,
    { method: 'get', path: '/api/payment/wallet', summary: 'The e-wallet registered to the caller\'s phone, as the provider reports it', tag: TAG, security: 'bearer', query: WalletQuery, responses: { 200: 'the e-wallet balance', 400: COMMON[400], 401: COMMON[401], 404: 'no e-wallet for this phone', 502: 'provider error', 503: 'provider unavailable', 504: 'provider timeout' }, middleware: [auth] },
    async (ctx, { query }) => {
      const w = await handlers.getWalletBalance.execute(actorOf(ctx).userId, query.ewallet);
      respond(ctx, 200, 'e-wallet balance', { provider: w.provider, balance: w.balance.toString(), currency: w.currency, account_number: w.accountNumber, last_updated: w.lastUpdated.toISOString() });
    },
  );

  defineRoute(
    router,
    openapi,
    {
      method: 'post',
      path: '/api/payment/wallet/topup',
      summary: 'Top up the caller\'s e-wallet from their account. 201 when the provider confirmed, 202 while pending (settled later by webhook or reconciler), 422 TOPUP_DECLINED / 502 TOPUP_FAILED with the amount returned to the account (meta.transaction_id, meta.refund_transaction_id). With an Idempotency-Key, a replay answers what the first request answered (202 if it was still pending then; GET /api/payment/transactions/{transaction_id} gives the current status) and never debits again.',
      tag: TAG,
      security: 'bearer',
      body: TopUpRequest,
      responses: { 201: 'top up successful', 202: 'top up pending', ...MONEY_ERRORS, 502: 'provider failed; amount returned (TOPUP_FAILED) or provider error', 503: 'provider unavailable', 504: 'provider timeout' },
      middleware: [auth, once('payment.topup')],
    },
    async (ctx, { body }) => {
      const idem = ctx.state.idempotency as RequestIdempotency | undefined;
      let storedFinal = false;
      const outcome = await handlers.topUp.execute(
        { userId: actorOf(ctx).userId, amount: body.amount, method: body.payment_method, phone: body.phone_number, description: body.description },
        {
          onDebit: (tx, t: LedgerTransaction) => store(ctx, { status: 202, message: 'top up pending', data: transactionDto(t) })(tx),
          onSettle: async (tx, o) => {
            if (!idem) return;
            await idem.update(tx as unknown as EntityManager, storedResponse(o));
            storedFinal = true;
          },
        },
      );
      // A webhook settled it first: the stored response still says pending; bring it up to date.
      if (idem && !storedFinal && outcome.kind !== 'pending') await idem.update(null, storedResponse(outcome));
      const r = topUpResponse(outcome);
      if (r.body.meta.error) r.body.meta.request_id = ctx.state.requestId;
      ctx.status = r.status;
      ctx.body = r.body;
    },
  );

  defineRoute(
    router,
    openapi,
    {
      method: 'post',
      path: '/api/payment/payments',
      summary: 'Pay a merchant from the caller\'s account. The payer pays the amount; the merchant receives it less the MDR (gross_amount, fee_amount, net_amount in the answer). Unknown merchant: 404 MERCHANT_NOT_FOUND; suspended or closed: 403 MERCHANT_NOT_ACTIVE; nothing is written.',
      tag: TAG,
      security: 'bearer',
      body: PaymentRequest,
      responses: { 201: 'payment successful', ...MONEY_ERRORS, 403: 'account or merchant not active (ACCOUNT_NOT_ACTIVE, MERCHANT_NOT_ACTIVE)', 404: 'account or merchant not found (MERCHANT_NOT_FOUND)' },
      middleware: [auth, once('payment.payments')],
    },
    async (ctx, { body }) => {
      const t = await handlers.createPayment.execute({ userId: actorOf(ctx).userId, amount: body.amount, merchantId: body.merchant_id, description: body.description }, (tx, r) =>
        store(ctx, { status: 201, message: 'payment successful', data: transactionDto(r) })(tx),
      );
      respond(ctx, 201, 'payment successful', transactionDto(t));
    },
  );

  defineRoute(
    router,
    openapi,
    { method: 'get', path: '/api/payment/merchants/:code', summary: 'A merchant\'s public profile (name, category, status), to show before paying; nothing about its money or bank account', tag: TAG, security: 'bearer', params: MerchantParams, responses: { 200: 'the merchant', 400: COMMON[400], 401: COMMON[401], 404: 'merchant not found (MERCHANT_NOT_FOUND)' }, middleware: [auth] },
    async (ctx, { params }) => {
      respond(ctx, 200, 'merchant', await handlers.getMerchantProfile.execute(params.code));
    },
  );

  defineRoute(
    router,
    openapi,
    { method: 'post', path: '/api/payment/transfers', summary: 'Transfer to another user (by username, phone or account id; a phone-like recipient is only ever a phone); answers the sender\'s row and `recipient`, whom it paid, masked', tag: TAG, security: 'bearer', body: TransferRequest, responses: { 201: 'transfer successful', ...MONEY_ERRORS, 404: 'account or recipient not found' }, middleware: [auth, once('payment.transfers')] },
    async (ctx, { body }) => {
      const actor = actorOf(ctx);
      const data = (r: TransferResult) => ({ ...transactionDto(r.sender), recipient: recipientDto(r.payee) });
      const r = await handlers.createTransfer.execute({ userId: actor.userId, username: actor.username, recipient: body.recipient, amount: body.amount, description: body.description }, (tx, t) =>
        store(ctx, { status: 201, message: 'transfer successful', data: data(t) })(tx),
      );
      respond(ctx, 201, 'transfer successful', data(r));
    },
  );

  defineRoute(
    router,
    openapi,
    {
      method: 'post',
      path: '/api/payment/recipients/lookup',
      summary: 'Whom a transfer to `identifier` would pay, before paying: the masked identity (`account_id`, `username`, `phone`), resolved exactly as a transfer resolves it. A POST so that phone numbers stay out of URLs and access logs; RECIPIENT_LOOKUPS_PER_HOUR per user (429 TOO_MANY_RECIPIENT_LOOKUPS with Retry-After)',
      tag: TAG,
      security: 'bearer',
      body: RecipientLookupRequest,
      responses: { 200: 'the recipient, masked', 400: 'validation failed, or the caller\'s own account (SELF_TRANSFER)', 401: COMMON[401], 404: 'no such recipient (RECIPIENT_NOT_FOUND)', 429: 'too many lookups (Retry-After)' },
      middleware: [auth],
    },
    async (ctx, { body }) => {
      ctx.set('Cache-Control', 'no-store');
      respond(ctx, 200, 'recipient', recipientDto(await handlers.lookUpRecipient.execute(actorOf(ctx).userId, body.identifier)));
    },
  );

  defineRoute(
    router,
    openapi,
    { method: 'get', path: '/api/payment/transactions/:transaction_id', summary: 'One of the caller\'s own transactions and its current status (someone else\'s: 404)', tag: TAG, security: 'bearer', params: TransactionParams, responses: { 200: 'the transaction', 401: COMMON[401], 404: 'transaction not found' }, middleware: [auth] },
    async (ctx, { params }) => {
      respond(ctx, 200, 'transaction', transactionDto(await handlers.getTransaction.execute(actorOf(ctx).userId, params.transaction_id)));
    },
  );

  defineRoute(
    router,
    openapi,
    {
      method: 'post',
      path: '/api/payment/admin/refunds',
      summary: 'Operators (role ADMIN): refund all (amount omitted) or part of a SUCCESS PAYMENT to the payer from the merchant\'s account, the proportional fee given back from FEE_REVENUE; never more than paid in total',
      tag: TAG,
      security: 'bearer',
      body: RefundRequest,
      responses: { 201: 'refund successful', 400: COMMON[400], 401: COMMON[401], 403: 'not an admin', 404: 'payment not found', 409: 'Idempotency-Key in flight', 422: 'not refundable, over what is left to refund, or the merchant\'s balance does not cover it (MERCHANT_INSUFFICIENT_FUNDS)' },
      middleware: [auth, requireRole('ADMIN'), once('payment.admin.refunds')],
    },
    async (ctx, { body }) => {
      const actor = actorOf(ctx);
      const t = await handlers.refundPayment.execute({ transactionId: body.transaction_id, amount: body.amount, reason: body.reason, operator: `admin:${actor.username}` }, (tx, r) =>
        store(ctx, { status: 201, message: 'refund successful', data: transactionDto(r) })(tx),
      );
      respond(ctx, 201, 'refund successful', transactionDto(t));
    },
  );

  for (const [slug, method] of [['gopay', 'GOPAY'], ['shopeepay', 'SHOPEE_PAY']] as const) {
    defineRoute(
      router,
      openapi,
      { method: 'post', path: `/api/payment/webhooks/${slug}`, summary: `${method} top-up notification: signature over the raw body and timestamp verified, status re-checked with the provider, applied once; duplicates acknowledged`, tag: TAG, security: 'signature', responses: { 200: 'acknowledged', 400: 'not a notification', 401: 'bad signature or stale timestamp' } },
      async (ctx) => {
        const ack = await handlers.handleWebhook.execute(method, (ctx.state.rawBody as Buffer | undefined) ?? Buffer.alloc(0), ctx.headers);
        respond(ctx, 200, ack.applied ? 'notification applied' : 'notification acknowledged', { reference: ack.reference, applied: ack.applied, status: ack.status });
      },
    );
  }
}
