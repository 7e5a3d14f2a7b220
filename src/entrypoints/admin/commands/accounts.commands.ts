import type { AdminCommand, AdminContext } from '../cli.ts';
import type { AccountStatus } from '../../../domain/wallet/account.ts';
import { ChangeAccountStatusHandler } from '../../../application/payment/change-account-status/change-account-status.handler.ts';
import { CreditAccountHandler } from '../../../application/payment/credit-account/credit-account.handler.ts';
import { accountFlag, accountJson, amountFlag, operatorOf, paymentCli, transactionJson } from './payment-cli.ts';

function statusCommand(name: string, to: AccountStatus, summary: string): AdminCommand {
  return {
    name: `accounts ${name}`,
    summary,
    usage: `accounts ${name} --account ID|USERNAME|PHONE`,
    async run(ctx: AdminContext) {
      const { accounts } = paymentCli(ctx);
      const account = await accountFlag(ctx, accounts);
      const { before, after } = await new ChangeAccountStatusHandler(accounts).execute(account.id, to);
      ctx.print({ ...accountJson(after), previous_status: before.status }, `account ${after.id}: ${before.status} → ${after.status}`);
      await ctx.audit(`accounts.${name}`, { type: 'account', id: after.id }, { before: { status: before.status }, after: { status: after.status } });
    },
  };
}

export const accountsCommands: AdminCommand[] = [
  {
    name: 'accounts show',
    summary: 'show a customer account (balance, status)',
    usage: 'accounts show --account ID|USERNAME|PHONE',
    async run(ctx) {
      const { accounts } = paymentCli(ctx);
      const a = await accountFlag(ctx, accounts);
      ctx.print(accountJson(a), `account ${a.id}  user ${a.userId}  ${a.status}  ${a.balance.toString()} ${a.currency}`);
    },
  },
  statusCommand('suspend', 'SUSPENDED', 'suspend an account: it can no longer move money (403 ACCOUNT_NOT_ACTIVE)'),
  statusCommand('reactivate', 'ACTIVE', 'reactivate a suspended account'),
  statusCommand('close', 'CLOSED', 'close an account for good (its balance must be 0.00 and no top-up pending)'),
  {
    name: 'accounts credit',
    summary: "credit an ACTIVE account from the bank's FUNDING account (operations, demos)",
    usage: 'accounts credit --account ID|USERNAME|PHONE --amount 100000.00 [--description TEXT] [--operator NAME]',
    async run(ctx) {
      const { accounts, ledger } = paymentCli(ctx);
      const account = await accountFlag(ctx, accounts);
      const amount = amountFlag(ctx)!;
      const description = typeof ctx.flags.description === 'string' ? ctx.flags.description : undefined;
      const t = await new CreditAccountHandler(accounts, ledger).execute({ accountId: account.id, amount, description, operator: operatorOf(ctx) });
      await ctx.audit('accounts.credit', { type: 'account', id: account.id }, { after: { transaction_id: t.transactionId, amount: t.amount.toString(), balance_after: t.balanceAfter.toString() }, details: { description: description ?? null } });
      ctx.print(transactionJson(t), `credited ${t.amount.toString()} IDR to ${account.id}: balance ${t.balanceAfter.toString()} (${t.transactionId})`);
    },
  },
];
