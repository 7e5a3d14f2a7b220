import { UsageError, requireFlag, type AdminCommand, type AdminContext } from '../cli.ts';
import type { MerchantStatus, MerchantWithBalance } from '../../../domain/merchant/merchant.ts';
import { statementCsv, statementJson } from '../../../domain/merchant/statement.ts';
import type { Payout } from '../../../domain/disbursement/payout.ts';
import { Money } from '../../../domain/shared/money.ts';
import { amountFlag, operatorOf } from './payment-cli.ts';
import { PAYMENT } from '../../payment/payment.bindings.ts';
import { freezeJson } from './accounts.commands.ts';
import { payoutCli } from './disbursement-cli.ts';

const optional = (ctx: AdminContext, name: string): string | undefined => (typeof ctx.flags[name] === 'string' ? (ctx.flags[name] as string) : undefined);

function bpsFlag(ctx: AdminContext, name: string): number | undefined {
  const v = optional(ctx, name);
  if (v === undefined) return undefined;
  if (!/^\d{1,5}$/.test(v)) throw new UsageError(`--${name} is basis points, an integer (70 = 0.7%)`);
  return Number(v);
}

/** The operator's view: everything, the bank account in full (payers and regulators only ever see it masked). */
export function merchantJson(m: MerchantWithBalance): Record<string, unknown> {
  return {
    id: m.id,
    code: m.code,
    name: m.name,
    category: m.category,
    status: m.status,
    fee_bps: m.feeBps,
    payout_reserve: m.payoutReserve.toString(),
    bank_account: m.bankAccount && { bank_code: m.bankAccount.bankCode, account_number: m.bankAccount.accountNumber, holder_name: m.bankAccount.holderName },
    account_id: m.accountId,
    balance: m.balance.toString(),
    freeze: freezeJson(m.freeze),
    currency: 'IDR',
    created_at: m.createdAt.toISOString(),
    updated_at: m.updatedAt.toISOString(),
  };
}

const line = (m: MerchantWithBalance) =>
  `${m.code.padEnd(20)} ${(m.freeze ? `${m.status}/F:${m.freeze.level}` : m.status).padEnd(9)} ${m.category.padEnd(14)} ${m.balance.toString().padStart(18)} IDR  ${m.feeBps === null ? 'category fee' : `${m.feeBps} bps`}  ${m.name}`;

function statusCommand(name: string, to: MerchantStatus, summary: string): AdminCommand {
  return {
    name: `merchants ${name}`,
    summary,
    usage: `merchants ${name} --merchant CODE`,
    async run(ctx) {
      const { before, after } = await ctx.container.get(PAYMENT.ChangeMerchantStatus).execute(requireFlag(ctx.flags, 'merchant'), to);
      await ctx.audit(`merchants.${name}`, { type: 'merchant', id: after.code }, { before: { status: before.status }, after: { status: after.status } });
      ctx.print({ ...merchantJson(after), previous_status: before.status }, `merchant ${after.code}: ${before.status} → ${after.status}`);
    },
  };
}

export const merchantsCommands: AdminCommand[] = [
  {
    name: 'merchants create',
    summary: 'onboard a merchant (its code is the merchant_id payers send) with its own ledger account at 0.00',
    usage:
      'merchants create --code CODE --name NAME --category REGULAR|MICRO|FUEL|PUBLIC_SERVICE|EDUCATION|GOVERNMENT|DONATION [--bank-code BCA --account-number 1234567890 --holder NAME] [--fee-bps 70]',
    async run(ctx) {
      const bankCode = optional(ctx, 'bank-code');
      const accountNumber = optional(ctx, 'account-number');
      const holder = optional(ctx, 'holder');
      const some = [bankCode, accountNumber, holder].filter((x) => x !== undefined).length;
      if (some !== 0 && some !== 3) throw new UsageError('--bank-code, --account-number and --holder go together');
      const created = await ctx.container.get(PAYMENT.CreateMerchant).execute({
        code: requireFlag(ctx.flags, 'code'),
        name: requireFlag(ctx.flags, 'name'),
        category: requireFlag(ctx.flags, 'category').toUpperCase(),
        bankAccount: some ? { bankCode: bankCode!.toUpperCase(), accountNumber: accountNumber!, holderName: holder! } : null,
        feeBps: bpsFlag(ctx, 'fee-bps') ?? null,
      });
      const m = await ctx.container.get(PAYMENT.GetMerchant).execute(created.code);
      await ctx.audit(
        'merchants.create',
        { type: 'merchant', id: m.code },
        { after: { name: m.name, category: m.category, fee_bps: m.feeBps, account_id: m.accountId } },
      );
      ctx.print(merchantJson(m), `created merchant ${m.code} (${m.name}, ${m.category}), account ${m.accountId}`);
    },
  },
  {
    name: 'merchants list',
    summary: 'list merchants with their status, category, balance and fee',
    usage: 'merchants list',
    async run(ctx) {
      const list = await ctx.container.get(PAYMENT.ListMerchants).execute();
      ctx.print(list.map(merchantJson), list.map(line).join('\n') || 'no merchants');
    },
  },
  {
    name: 'merchants show',
    summary: 'show one merchant (balance, bank account, fee)',
    usage: 'merchants show --merchant CODE',
    async run(ctx) {
      const m = await ctx.container.get(PAYMENT.GetMerchant).execute(requireFlag(ctx.flags, 'merchant'));
      ctx.print(merchantJson(m), line(m));
    },
  },
  statusCommand('suspend', 'SUSPENDED', 'suspend a merchant: payments to it are refused (403 MERCHANT_NOT_ACTIVE); refunds still come from it'),
  statusCommand('reactivate', 'ACTIVE', 'reactivate a suspended merchant'),
  {
    name: 'merchants freeze',
    summary: "freeze a merchant's account: DEBIT (no payouts), CREDIT (no payments to it, 403 ACCOUNT_FROZEN) or ALL; refunds to payers still go out",
    usage: 'merchants freeze --merchant CODE --level DEBIT|CREDIT|ALL --reason TEXT [--operator NAME]',
    async run(ctx) {
      const { before, after } = await ctx.container.get(PAYMENT.FreezeMerchant).execute(requireFlag(ctx.flags, 'merchant'), {
        level: requireFlag(ctx.flags, 'level'),
        reason: requireFlag(ctx.flags, 'reason'),
        operator: operatorOf(ctx),
      });
      await ctx.audit(
        'merchants.freeze',
        { type: 'merchant', id: after.code },
        { before: { freeze: freezeJson(before.freeze) }, after: { freeze: freezeJson(after.freeze) } },
      );
      ctx.print(
        { ...merchantJson(after), previous_freeze: freezeJson(before.freeze) },
        `merchant ${after.code}: frozen ${after.freeze!.level} (${after.freeze!.reason})`,
      );
    },
  },
  {
    name: 'merchants unfreeze',
    summary: "lift a merchant's freeze",
    usage: 'merchants unfreeze --merchant CODE [--operator NAME]',
    async run(ctx) {
      const { before, after } = await ctx.container.get(PAYMENT.UnfreezeMerchant).execute(requireFlag(ctx.flags, 'merchant'));
      await ctx.audit('merchants.unfreeze', { type: 'merchant', id: after.code }, { before: { freeze: freezeJson(before.freeze) }, after: { freeze: null } });
      ctx.print({ ...merchantJson(after), previous_freeze: freezeJson(before.freeze) }, `merchant ${after.code}: unfrozen (was ${before.freeze!.level})`);
    },
  },
  statusCommand('close', 'CLOSED', 'close a merchant for good (its balance must be 0.00: pay it out first)'),
  {
    name: 'merchants set-fee',
    summary: "set a merchant's own MDR in basis points, or --default for its category's rate",
    usage: 'merchants set-fee --merchant CODE (--bps 50 | --default)',
    async run(ctx) {
      const bps = bpsFlag(ctx, 'bps');
      if ((bps === undefined) === (ctx.flags.default !== true)) throw new UsageError('give either --bps N or --default');
      const m = await ctx.container.get(PAYMENT.SetMerchantFee).execute(requireFlag(ctx.flags, 'merchant'), bps ?? null);
      await ctx.audit('merchants.set-fee', { type: 'merchant', id: m.code }, { after: { fee_bps: m.feeBps } });
      ctx.print(merchantJson(m), `merchant ${m.code}: fee ${m.feeBps === null ? `the ${m.category} category's rate` : `${m.feeBps} bps`}`);
    },
  },
  {
    name: 'merchants set-reserve',
    summary: "set the rolling reserve payouts leave in a merchant's account, so refunds after a payout are still covered",
    usage: 'merchants set-reserve --merchant CODE --amount 500000.00 (0.00: none)',
    async run(ctx) {
      const v = optional(ctx, 'amount');
      if (v === undefined) throw new UsageError('--amount is required (0.00 for no reserve)');
      let reserve: Money;
      try {
        reserve = Money.parse(v);
      } catch (err) {
        throw new UsageError(`--amount: ${(err as Error).message}`);
      }
      const m = await ctx.container.get(PAYMENT.SetPayoutReserve).execute(requireFlag(ctx.flags, 'merchant'), reserve);
      await ctx.audit('merchants.set-reserve', { type: 'merchant', id: m.code }, { after: { payout_reserve: m.payoutReserve.toString() } });
      ctx.print(merchantJson(m), `merchant ${m.code}: payouts keep ${m.payoutReserve.toString()} IDR`);
    },
  },
  {
    name: 'merchants statement',
    summary:
      "a merchant's statement for business days (Asia/Jakarta) from..to inclusive: opening, every payment (gross/fee/net), refund and payout, closing — equal to its journal",
    usage: 'merchants statement --merchant CODE --from 2026-12-01 --to 2026-12-31 [--format csv|json]',
    async run(ctx) {
      const format = optional(ctx, 'format') ?? 'json';
      if (format !== 'csv' && format !== 'json') throw new UsageError('--format is csv or json');
      const range = { from: requireFlag(ctx.flags, 'from'), to: requireFlag(ctx.flags, 'to') };
      const { merchant, statement } = await ctx.container.get(PAYMENT.MerchantStatement).execute(requireFlag(ctx.flags, 'merchant'), range.from, range.to);
      const json = statementJson(merchant, range, statement);
      ctx.print(json, format === 'csv' ? statementCsv(statement).trimEnd() : JSON.stringify(json, null, 2));
    },
  },
  {
    name: 'merchants payout',
    summary:
      "pay a merchant's balance (all of it, or --amount) out to its bank account; idempotent on --reference; an unknown bank answer stays PENDING (see payout-check)",
    usage: 'merchants payout --merchant CODE [--amount 100000.00] [--reference PO-…]',
    async run(ctx) {
      const cli = await payoutCli(ctx);
      try {
        const p = await cli.payouts.execute({
          merchantCode: requireFlag(ctx.flags, 'merchant'),
          amount: amountFlag(ctx, 'amount', false),
          reference: optional(ctx, 'reference'),
        });
        await ctx.audit(
          'merchants.payout',
          { type: 'payout', id: p.reference },
          { after: { merchant: p.merchantCode, amount: p.amount.toString(), status: p.status } },
        );
        ctx.print(
          payoutJson(p),
          `payout ${p.reference}: ${p.amount.toString()} IDR to ${p.bankAccount.bankCode} ${p.bankAccount.accountNumber}: ${p.status}${p.failureReason ? ` (${p.failureReason}, returned to the merchant)` : ''}${cli.sandbox ? '  [sandbox]' : ''}`,
        );
      } finally {
        await cli.close();
      }
    },
  },
  {
    name: 'merchants payout-check',
    summary: 'ask the bank about PENDING payouts (one --reference, or all older than a minute) and apply its answer once',
    usage: 'merchants payout-check [--reference PO-…]',
    async run(ctx) {
      const cli = await payoutCli(ctx);
      try {
        const ref = optional(ctx, 'reference');
        const list = ref ? [await cli.check.execute(ref)] : await cli.checkPending.execute({ olderThan: new Date(Date.now() - 60_000) });
        ctx.print(
          list.map(payoutJson),
          list.map((p) => `${p.reference}  ${p.merchantCode}  ${p.amount.toString()} IDR  ${p.status}`).join('\n') || 'no pending payouts',
        );
      } finally {
        await cli.close();
      }
    },
  },
];

function payoutJson(p: Payout): Record<string, unknown> {
  return {
    reference: p.reference,
    merchant: p.merchantCode,
    amount: p.amount.toString(),
    currency: 'IDR',
    status: p.status,
    bank_account: { bank_code: p.bankAccount.bankCode, account_number: p.bankAccount.accountNumber, holder_name: p.bankAccount.holderName },
    provider_reference: p.providerReference,
    failure_reason: p.failureReason,
    created_at: p.createdAt.toISOString(),
    updated_at: p.updatedAt.toISOString(),
  };
}
