import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { RefusalMeta, type OpenApiRegistry } from '../openapi.ts';
import { defineRoute } from '../route.ts';
import { respond } from '../envelope.ts';
import { actorOf, authenticate, requireRole } from '../authenticate.ts';
import { idempotent, type IdempotentResponse, type RequestIdempotency } from '../idempotency.ts';
import type { IdempotencyStore } from '../../../application/ports/idempotency.ts';
import type { AccessTokenVerifier } from '../../../application/ports/access-token.ts';
import type { CurrentRoles } from '../../../application/ports/current-roles.ts';
import type { LedgerTransaction } from '../../../domain/ledger/transaction.ts';
import type { UnitOfWork } from '../../../domain/shared/unit-of-work.ts';
import type { TopUpOutcome } from '../../../application/payment/top-up/top-up.handler.ts';
import type { TransferResult } from '../../../application/payment/create-transfer/create-transfer.handler.ts';
import { z } from 'zod';
import {
  limitsDto,
  AccountSchema,
  accountDto,
  BalanceSchema,
  MerchantProfileSchema,
  recipientDto,
  RecipientSchema,
  TransactionSchema,
  transactionDto,
  TransferSchema,
  WalletBalanceSchema,
  WebhookAckSchema,
} from './payment.dto.ts';
import {
  MerchantParams,
  PaymentRequest,
  RecipientLookupRequest,
  RefundRequest,
  TopUpRequest,
  TransactionParams,
  TransferRequest,
  WalletQuery,
} from './payment.requests.ts';
import type { PaymentHandlers } from './payment-handlers.ts';

const TAG = 'payment';
const PROVIDER_ERRORS = { 502: ['PROVIDER_ERROR'], 503: ['PROVIDER_UNAVAILABLE'], 504: ['PROVIDER_TIMEOUT'] };
/** What a failed top-up's error envelope carries besides the code: the debit and the release that returned the amount. */
const TopUpFailureMeta = RefusalMeta.extend({
  transaction_id: z.string().optional().describe('TOPUP_DECLINED / TOPUP_FAILED: the top-up, now FAILED'),
  refund_transaction_id: z.string().nullable().optional().describe('TOPUP_DECLINED / TOPUP_FAILED: the REFUND that returned the amount to the account'),
});

const TX_EXAMPLE = (z.globalRegistry.get(TransactionSchema)?.examples as z.output<typeof TransactionSchema>[])[0]!;

/** The unit that stores the response with the effect, when the client sent an Idempotency-Key. */
function store<R>(ctx: Context, response: (result: R) => IdempotentResponse): UnitOfWork<R> | undefined {
  return (ctx.state.idempotency as RequestIdempotency | undefined)?.unit(response);
}

function topUpResponse(o: TopUpOutcome): { status: number; body: { meta: Record<string, unknown>; data: unknown } } {
  if (o.kind === 'success') return { status: 201, body: { meta: { code: '201', message: 'top up successful' }, data: transactionDto(o.transaction) } };
  if (o.kind === 'pending') return { status: 202, body: { meta: { code: '202', message: 'top up pending' }, data: transactionDto(o.transaction) } };
  const status = o.code === 'TOPUP_DECLINED' ? 422 : 502;
  return {
    status,
    body: {
      meta: {
        code: String(status),
        message: o.message,
        error: o.code,
        transaction_id: o.transaction.transactionId,
        refund_transaction_id: o.release?.transactionId ?? null,
      },
      data: null,
    },
  };
}

function storedResponse(o: TopUpOutcome): IdempotentResponse {
  const r = topUpResponse(o);
  const { code: _code, message, ...meta } = r.body.meta;
  return { status: r.status, message: String(message), data: r.body.data, meta };
}

export interface PaymentRouteDeps {
  handlers: PaymentHandlers;
  accessTokens: AccessTokenVerifier;
  currentRoles: CurrentRoles;
  idempotency: IdempotencyStore;
}

/** The /api/payment routes. Controllers parse, call one use case with the actor, and map the result. */
export function paymentRoutes(router: Router, openapi: OpenApiRegistry, { handlers, accessTokens, currentRoles, idempotency }: PaymentRouteDeps): void {
  const auth: Middleware = authenticate(accessTokens);
  const once = (route: string) => idempotent(idempotency, route);

  defineRoute(
    router,
    openapi,
    {
      method: 'get',
      path: '/api/payment/account',
      operationId: 'getAccount',
      summary:
        "The caller's account, with its KYC tier (UNREGISTERED or REGISTERED), the limits of that tier (Bank Indonesia PBI 20/6/PBI/2018 as revised in 2022) and what remains now (balance room counting pending top-ups, incoming left this calendar month in Asia/Jakarta). Movements that would break a limit are refused with 422 BALANCE_LIMIT_EXCEEDED, MONTHLY_LIMIT_EXCEEDED or KYC_REQUIRED (meta.details names the limit and what remains); `freeze` shows an operator's freeze (403 ACCOUNT_FROZEN for what it covers).",
      tag: TAG,
      security: 'bearer',
      responses: { 200: { description: 'account', data: AccountSchema } },
      errors: { 404: ['ACCOUNT_NOT_FOUND'] },
      middleware: [auth],
    },
    async (ctx) => {
      const account = await handlers.getAccount.execute(actorOf(ctx).userId);
      const view = await handlers.getAccountLimits.execute(account);
      respond(ctx, 200, 'account', { ...accountDto(account), ...(view ? { limits: limitsDto(view) } : {}) });
    },
  );

  defineRoute(
    router,
    openapi,
    {
      method: 'get',
      path: '/api/payment/balance',
      operationId: 'getBalance',
      summary: "The caller's balance (cached, invalidated on every change)",
      tag: TAG,
      security: 'bearer',
      responses: { 200: { description: 'balance', data: BalanceSchema } },
      errors: { 404: ['ACCOUNT_NOT_FOUND'] },
      middleware: [auth],
    },
    async (ctx) => {
      const b = await handlers.getBalance.execute(actorOf(ctx).userId);
      respond(ctx, 200, 'balance', { balance: b.balance.toString(), currency: b.currency });
    },
  );

  defineRoute(
    router,
    openapi,
    {
      method: 'get',
      path: '/api/payment/wallet',
      operationId: 'getWalletBalance',
      summary: "The e-wallet registered to the caller's phone, as the provider reports it",
      tag: TAG,
      security: 'bearer',
      query: WalletQuery,
      responses: { 200: { description: 'e-wallet balance', data: WalletBalanceSchema } },
      errors: { 400: ['UNSUPPORTED_PAYMENT_METHOD'], 404: ['ACCOUNT_NOT_FOUND', 'USER_NOT_FOUND', 'EWALLET_ACCOUNT_NOT_FOUND'], ...PROVIDER_ERRORS },
      middleware: [auth],
    },
    async (ctx, { query }) => {
      const w = await handlers.getWalletBalance.execute(actorOf(ctx).userId, query.ewallet);
      respond(ctx, 200, 'e-wallet balance', {
        provider: w.provider,
        balance: w.balance.toString(),
        currency: w.currency,
        account_number: w.accountNumber,
        last_updated: w.lastUpdated.toISOString(),
      });
    },
  );

  defineRoute(
    router,
    openapi,
    {
      method: 'post',
      path: '/api/payment/wallet/topup',
      operationId: 'topUpWallet',
      summary: "Top up the caller's e-wallet from their account",
      description:
        '201 when the provider confirmed, 202 while pending (settled later by webhook or reconciler), 422 TOPUP_DECLINED / 502 TOPUP_FAILED with the amount returned to the account (meta.transaction_id, meta.refund_transaction_id). With an Idempotency-Key, a replay answers what the first request answered (202 if it was still pending then; GET /api/payment/transactions/{transaction_id} gives the current status) and never debits again.',
      tag: TAG,
      security: 'bearer',
      body: TopUpRequest,
      bodyExample: { amount: '50000.00', payment_method: 'GOPAY', phone_number: '081234567890', description: 'top up my GoPay' },
      idempotent: true,
      responses: {
        201: { description: 'top up successful', data: TransactionSchema },
        202: { description: 'top up pending', data: TransactionSchema, example: { ...TX_EXAMPLE, transaction_status: 'PENDING', external_reference: null } },
      },
      errors: {
        400: ['INVALID_AMOUNT', 'AMOUNT_BELOW_MINIMUM', 'AMOUNT_ABOVE_MAXIMUM', 'UNSUPPORTED_PAYMENT_METHOD'],
        403: { codes: ['ACCOUNT_NOT_ACTIVE', 'ACCOUNT_FROZEN'], meta: RefusalMeta },
        404: ['ACCOUNT_NOT_FOUND', 'USER_NOT_FOUND'],
        422: { codes: ['INSUFFICIENT_FUNDS', 'EWALLET_NOT_FOUND', 'TOPUP_DECLINED', 'KYC_REQUIRED', 'RISK_BLOCKED'], meta: TopUpFailureMeta },
        502: { codes: ['TOPUP_FAILED'], meta: TopUpFailureMeta },
        503: ['PROVIDER_UNAVAILABLE'],
        504: ['PROVIDER_TIMEOUT'],
      },
      middleware: [auth, once('payment.topup')],
    },
    async (ctx, { body }) => {
      const idem = ctx.state.idempotency as RequestIdempotency | undefined;
      let storedFinal = false;
      const outcome = await handlers.topUp.execute(
        { userId: actorOf(ctx).userId, amount: body.amount, method: body.payment_method, phone: body.phone_number, description: body.description },
        {
          debit: store(ctx, (t: LedgerTransaction) => ({ status: 202, message: 'top up pending', data: transactionDto(t) })),
          settle: idem && {
            ...idem.unit(storedResponse, 'update'),
            committed: () => {
              storedFinal = true;
            },
          },
        },
      );
      // A webhook settled it first: the stored response still says pending; bring it up to date.
      if (idem && !storedFinal && outcome.kind !== 'pending') await idem.update(storedResponse(outcome));
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
      operationId: 'createPayment',
      summary: "Pay a merchant from the caller's account",
      description:
        "The payer pays the amount; the merchant receives it less the MDR (gross_amount, fee_amount, net_amount in the answer). Unknown merchant: 404 MERCHANT_NOT_FOUND; suspended or closed: 403 MERCHANT_NOT_ACTIVE; the payer's account frozen for debits or the merchant's for credits: 403 ACCOUNT_FROZEN (meta.details: level, side, owner); nothing is written.",
      tag: TAG,
      security: 'bearer',
      body: PaymentRequest,
      bodyExample: { amount: 25000, merchant_id: 'TOKO-DEMO', description: 'coffee' },
      idempotent: true,
      responses: {
        202: {
          description: 'held for review by the fraud rules: the PENDING payment, the amount reserved until an operator approves or rejects it',
          data: TransactionSchema,
        },
        201: {
          description: 'payment successful',
          data: TransactionSchema,
          example: {
            ...TX_EXAMPLE,
            transaction_type: 'PAYMENT',
            payment_method: null,
            external_reference: null,
            description: 'coffee',
            metadata: { merchant_id: 'TOKO-DEMO', fee: '175.00', net: '24825.00' },
            merchant_id: 'TOKO-DEMO',
            merchant_name: 'Toko Demo',
            gross_amount: '25000.00',
            fee_amount: '175.00',
            net_amount: '24825.00',
          },
        },
      },
      errors: {
        400: ['INVALID_AMOUNT'],
        403: { codes: ['ACCOUNT_NOT_ACTIVE', 'MERCHANT_NOT_ACTIVE', 'ACCOUNT_FROZEN'], meta: RefusalMeta },
        404: ['ACCOUNT_NOT_FOUND', 'MERCHANT_NOT_FOUND'],
        422: ['INSUFFICIENT_FUNDS', 'RISK_BLOCKED'],
      },
      middleware: [auth, once('payment.payments')],
    },
    async (ctx, { body }) => {
      const answer = (t: LedgerTransaction) =>
        t.status === 'PENDING' ? ({ status: 202, message: 'payment held for review' } as const) : ({ status: 201, message: 'payment successful' } as const);
      const t = await handlers.createPayment.execute(
        { userId: actorOf(ctx).userId, amount: body.amount, merchantId: body.merchant_id, description: body.description },
        store(ctx, (r) => ({ ...answer(r), data: transactionDto(r) })),
      );
      respond(ctx, answer(t).status, answer(t).message, transactionDto(t));
    },
  );

  defineRoute(
    router,
    openapi,
    {
      method: 'get',
      path: '/api/payment/merchants/:code',
      operationId: 'getMerchantProfile',
      summary: "A merchant's public profile (name, category, status), to show before paying; nothing about its money or bank account",
      tag: TAG,
      security: 'bearer',
      params: MerchantParams,
      responses: { 200: { description: 'the merchant', data: MerchantProfileSchema } },
      errors: { 404: ['MERCHANT_NOT_FOUND'] },
      middleware: [auth],
    },
    async (ctx, { params }) => {
      respond(ctx, 200, 'merchant', await handlers.getMerchantProfile.execute(params.code));
    },
  );

  defineRoute(
    router,
    openapi,
    {
      method: 'post',
      path: '/api/payment/transfers',
      operationId: 'createTransfer',
      summary:
        "Transfer to another user (by username, phone or account id; a phone-like recipient is only ever a phone); answers the sender's row and `recipient`, whom it paid, masked",
      tag: TAG,
      security: 'bearer',
      body: TransferRequest,
      bodyExample: { recipient: 'budi', amount: '75000.00', description: 'dinner' },
      idempotent: true,
      responses: {
        201: { description: 'transfer successful', data: TransferSchema },
        202: {
          description:
            "held for review by the fraud rules: the sender's PENDING row, the amount reserved until an operator approves (the recipient is credited then) or rejects it (the amount returns)",
          data: TransferSchema,
        },
      },
      errors: {
        400: ['INVALID_AMOUNT', 'SELF_TRANSFER'],
        403: { codes: ['ACCOUNT_NOT_ACTIVE', 'ACCOUNT_FROZEN'], meta: RefusalMeta },
        404: ['ACCOUNT_NOT_FOUND', 'RECIPIENT_NOT_FOUND'],
        422: {
          codes: ['INSUFFICIENT_FUNDS', 'RECIPIENT_NOT_ACTIVE', 'KYC_REQUIRED', 'BALANCE_LIMIT_EXCEEDED', 'MONTHLY_LIMIT_EXCEEDED', 'RISK_BLOCKED'],
          meta: RefusalMeta,
        },
      },
      middleware: [auth, once('payment.transfers')],
    },
    async (ctx, { body }) => {
      const actor = actorOf(ctx);
      const data = (r: TransferResult): z.output<typeof TransferSchema> => ({ ...transactionDto(r.sender), recipient: recipientDto(r.payee) });
      const answer = (r: TransferResult) =>
        r.recipient ? ({ status: 201, message: 'transfer successful' } as const) : ({ status: 202, message: 'transfer held for review' } as const);
      const r = await handlers.createTransfer.execute(
        { userId: actor.userId, username: actor.username, recipient: body.recipient, amount: body.amount, description: body.description },
        store(ctx, (t: TransferResult) => ({ ...answer(t), data: data(t) })),
      );
      respond(ctx, answer(r).status, answer(r).message, data(r));
    },
  );

  defineRoute(
    router,
    openapi,
    {
      method: 'post',
      path: '/api/payment/recipients/lookup',
      operationId: 'lookUpRecipient',
      summary: 'Whom a transfer to `identifier` would pay, before paying (masked)',
      description:
        'The masked identity (`account_id`, `username`, `phone`), resolved exactly as a transfer resolves it. A POST so that phone numbers stay out of URLs and access logs; RECIPIENT_LOOKUPS_PER_HOUR per user (429 TOO_MANY_RECIPIENT_LOOKUPS with Retry-After).',
      tag: TAG,
      security: 'bearer',
      body: RecipientLookupRequest,
      bodyExample: { identifier: '081234567891' },
      responses: { 200: { description: 'recipient', data: RecipientSchema } },
      errors: { 400: ['SELF_TRANSFER'], 404: ['ACCOUNT_NOT_FOUND', 'RECIPIENT_NOT_FOUND'], 429: ['TOO_MANY_RECIPIENT_LOOKUPS'] },
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
    {
      method: 'get',
      path: '/api/payment/transactions/:transaction_id',
      operationId: 'getPaymentTransaction',
      summary: "One of the caller's own transactions and its current status (someone else's: 404)",
      tag: TAG,
      security: 'bearer',
      params: TransactionParams,
      responses: { 200: { description: 'transaction', data: TransactionSchema } },
      errors: { 404: ['ACCOUNT_NOT_FOUND', 'TRANSACTION_NOT_FOUND'] },
      middleware: [auth],
    },
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
      operationId: 'refundPayment',
      summary:
        "Operators (role ADMIN): refund all (amount omitted) or part of a SUCCESS PAYMENT to the payer from the merchant's account, the proportional fee given back from FEE_REVENUE; never more than paid in total",
      tag: TAG,
      security: 'bearer',
      body: RefundRequest,
      bodyExample: { transaction_id: 'TRX-20261130-1A2B3C4D5E', amount: '25000.00', reason: 'double charge' },
      idempotent: true,
      responses: {
        201: {
          description: 'refund successful',
          data: TransactionSchema,
          example: {
            ...TX_EXAMPLE,
            transaction_type: 'REFUND',
            payment_method: null,
            external_reference: null,
            balance_before: '100000.00',
            balance_after: '150000.00',
            related_transaction_id: 'TRX-20261130-1A2B3C4D5E',
            metadata: { refund_of: 'TRX-20261130-1A2B3C4D5E', merchant_id: 'MERCHANT-001', reason: 'double charge', operator: 'admin:ops' },
          },
        },
      },
      errors: {
        400: ['INVALID_AMOUNT'],
        403: ['FORBIDDEN', 'ACCOUNT_NOT_ACTIVE'],
        404: ['TRANSACTION_NOT_FOUND', 'ACCOUNT_NOT_FOUND'],
        422: ['TRANSACTION_NOT_REFUNDABLE', 'REFUND_EXCEEDS_PAYMENT', 'MERCHANT_INSUFFICIENT_FUNDS'],
      },
      middleware: [auth, requireRole('ADMIN', currentRoles), once('payment.admin.refunds')],
    },
    async (ctx, { body }) => {
      const actor = actorOf(ctx);
      const t = await handlers.refundPayment.execute(
        { transactionId: body.transaction_id, amount: body.amount, reason: body.reason, operator: `admin:${actor.username}` },
        store(ctx, (r: LedgerTransaction) => ({ status: 201, message: 'refund successful', data: transactionDto(r) })),
      );
      respond(ctx, 201, 'refund successful', transactionDto(t));
    },
  );

  for (const [slug, method] of [
    ['gopay', 'GOPAY'],
    ['shopeepay', 'SHOPEE_PAY'],
  ] as const) {
    defineRoute(
      router,
      openapi,
      {
        method: 'post',
        path: `/api/payment/webhooks/${slug}`,
        operationId: `${slug}Webhook`,
        summary: `${method} top-up notification`,
        description: `Called by ${method}, not by clients: the provider's signature over the raw body and timestamp is verified, the status re-checked with the provider, and the notification applied once; duplicates are acknowledged. The body is the provider's own notification format.`,
        tag: TAG,
        security: 'signature',
        responses: { 200: { description: 'notification applied', data: WebhookAckSchema } },
        errors: { 400: ['INVALID_NOTIFICATION'], 401: ['INVALID_SIGNATURE', 'STALE_TIMESTAMP', 'INVALID_TOKEN'], ...PROVIDER_ERRORS },
      },
      async (ctx) => {
        const ack = await handlers.handleWebhook.execute(method, (ctx.state.rawBody as Buffer | undefined) ?? Buffer.alloc(0), ctx.headers);
        respond(ctx, 200, ack.applied ? 'notification applied' : 'notification acknowledged', {
          reference: ack.reference,
          applied: ack.applied,
          status: ack.status,
        });
      },
    );
  }
}
