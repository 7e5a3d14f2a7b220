import { requireFlag, type AdminCommand } from '../cli.ts';
import { PAYMENT } from '../../payment/payment.bindings.ts';
import { amountFlag, operatorOf, transactionJson } from './payment-cli.ts';

export const refundsCommands: AdminCommand[] = [
  {
    name: 'refunds create',
    summary:
      "refund a SUCCESS payment to the payer from the merchant's account (the proportional fee given back), in full (no --amount) or in part; never more than paid in total",
    usage: 'refunds create --transaction TRANSACTION_ID [--amount 10000.00] [--reason TEXT] [--operator NAME]',
    async run(ctx) {
      const t = await ctx.container.get(PAYMENT.RefundPayment).execute({
        transactionId: requireFlag(ctx.flags, 'transaction'),
        amount: amountFlag(ctx, 'amount', false),
        reason: typeof ctx.flags.reason === 'string' ? ctx.flags.reason : null,
        operator: operatorOf(ctx),
      });
      await ctx.audit(
        'refunds.create',
        { type: 'transaction', id: t.relatedTransactionId },
        { after: { refund_transaction_id: t.transactionId, amount: t.amount.toString() }, details: { reason: t.description ?? null } },
      );
      ctx.print(transactionJson(t), `refunded ${t.amount.toString()} IDR of ${t.relatedTransactionId} to account ${t.accountId} (${t.transactionId})`);
    },
  },
];
