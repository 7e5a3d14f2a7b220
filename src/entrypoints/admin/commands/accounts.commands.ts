import type { AdminCommand, AdminContext } from '../cli.ts';
import type { AccountStatus } from '../../../domain/wallet/account.ts';
import { VerifyAccountHandler } from '../../../application/payment/verify-account/verify-account.handler.ts';
import type { AccountFreeze } from '../../../domain/wallet/freeze.ts';
import { AesGcmIdentityCipher } from '../../../adapters/security/aes-gcm-identity-cipher.ts';
import { UsageError, requireFlag } from '../cli.ts';
import { PAYMENT } from '../../payment/payment.bindings.ts';
import { accountFlag, accountJson, amountFlag, operatorOf, paymentCli, transactionJson } from './payment-cli.ts';

function statusCommand(name: string, to: AccountStatus, summary: string): AdminCommand {
  return {
    name: `accounts ${name}`,
    summary,
    usage: `accounts ${name} --account ID|USERNAME|PHONE`,
    async run(ctx: AdminContext) {
      const { accounts } = paymentCli(ctx);
      const account = await accountFlag(ctx, accounts);
      const { before, after } = await ctx.container.get(PAYMENT.ChangeStatus).execute(account.id, to);
      ctx.print({ ...accountJson(after), previous_status: before.status }, `account ${after.id}: ${before.status} → ${after.status}`);
      await ctx.audit(`accounts.${name}`, { type: 'account', id: after.id }, { before: { status: before.status }, after: { status: after.status } });
    },
  };
}

/** The operator's view of a freeze: with its reason and who froze (the API shows the level and time only). */
export const freezeJson = (f: AccountFreeze | null | undefined) =>
  f ? { level: f.level, reason: f.reason, frozen_at: f.frozenAt.toISOString(), frozen_by: f.frozenBy } : null;

export const accountsCommands: AdminCommand[] = [
  {
    name: 'accounts show',
    summary: 'show a customer account (balance, status)',
    usage: 'accounts show --account ID|USERNAME|PHONE',
    async run(ctx) {
      const { accounts } = paymentCli(ctx);
      const a = await accountFlag(ctx, accounts);
      // The identity is shown masked even here; the sealed values never leave the database.
      const identity = await accounts.identityOf(a.id);
      const kyc = identity
        ? { id_type: identity.idType, id_number: identity.idNumberMasked, verified_by: identity.verifiedBy, verified_at: identity.verifiedAt.toISOString() }
        : null;
      ctx.print(
        { ...accountJson(a), freeze: freezeJson(a.freeze), identity: kyc },
        `account ${a.id}  user ${a.userId}  ${a.status}  ${a.kycTier ?? 'UNREGISTERED'}  ${a.balance.toString()} ${a.currency}${kyc ? `  ${kyc.id_type} ${kyc.id_number}` : ''}${a.freeze ? `  FROZEN ${a.freeze.level} (${a.freeze.reason})` : ''}`,
      );
    },
  },
  {
    name: 'accounts verify',
    summary: "record the holder's verified identity document: the account becomes REGISTERED (KYC; needs KYC_ENCRYPTION_KEY)",
    usage: 'accounts verify --account ID|USERNAME|PHONE --id-type KTP --id-number NIK [--name TEXT] [--operator NAME]',
    async run(ctx) {
      const { accounts } = paymentCli(ctx);
      if (!ctx.config.KYC_ENCRYPTION_KEY) throw new UsageError('KYC_ENCRYPTION_KEY is not set: identity data is stored only encrypted');
      const cipher = AesGcmIdentityCipher.fromConfig(ctx.config.KYC_ENCRYPTION_KEY);
      const account = await accountFlag(ctx, accounts);
      const name = typeof ctx.flags.name === 'string' ? ctx.flags.name : null;
      const r = await new VerifyAccountHandler(accounts, cipher).execute({
        accountId: account.id,
        idType: requireFlag(ctx.flags, 'id-type'),
        idNumber: requireFlag(ctx.flags, 'id-number'),
        name,
        operator: operatorOf(ctx),
      });
      // The audit event carries the masked number only: the identity itself stays sealed in account_identities.
      await ctx.audit(
        'accounts.verify',
        { type: 'account', id: r.after.id },
        { before: { kyc_tier: r.before.kycTier ?? 'UNREGISTERED' }, after: { kyc_tier: r.after.kycTier, id_number: r.idNumberMasked } },
      );
      ctx.print(
        { ...accountJson(r.after), previous_kyc_tier: r.before.kycTier ?? 'UNREGISTERED', identity: { id_number: r.idNumberMasked } },
        `account ${r.after.id}: ${r.before.kycTier ?? 'UNREGISTERED'} → ${r.after.kycTier} (${r.idNumberMasked})`,
      );
    },
  },
  {
    name: 'accounts freeze',
    summary:
      'freeze an account: DEBIT (nothing leaves), CREDIT (no new money in) or ALL; refused movements answer 403 ACCOUNT_FROZEN (refunds and released top-ups still arrive)',
    usage: 'accounts freeze --account ID|USERNAME|PHONE --level DEBIT|CREDIT|ALL --reason TEXT [--operator NAME]',
    async run(ctx) {
      const { accounts } = paymentCli(ctx);
      const account = await accountFlag(ctx, accounts);
      const { before, after } = await ctx.container
        .get(PAYMENT.FreezeAccount)
        .execute({ accountId: account.id, level: requireFlag(ctx.flags, 'level'), reason: requireFlag(ctx.flags, 'reason'), operator: operatorOf(ctx) });
      await ctx.audit(
        'accounts.freeze',
        { type: 'account', id: after.id },
        { before: { freeze: freezeJson(before.freeze) }, after: { freeze: freezeJson(after.freeze) } },
      );
      ctx.print(
        { ...accountJson(after), freeze: freezeJson(after.freeze), previous_freeze: freezeJson(before.freeze) },
        `account ${after.id}: frozen ${after.freeze!.level} (${after.freeze!.reason})`,
      );
    },
  },
  {
    name: 'accounts unfreeze',
    summary: "lift an account's freeze",
    usage: 'accounts unfreeze --account ID|USERNAME|PHONE [--operator NAME]',
    async run(ctx) {
      const { accounts } = paymentCli(ctx);
      const account = await accountFlag(ctx, accounts);
      const { before, after } = await ctx.container.get(PAYMENT.UnfreezeAccount).execute(account.id);
      await ctx.audit('accounts.unfreeze', { type: 'account', id: after.id }, { before: { freeze: freezeJson(before.freeze) }, after: { freeze: null } });
      ctx.print(
        { ...accountJson(after), freeze: null, previous_freeze: freezeJson(before.freeze) },
        `account ${after.id}: unfrozen (was ${before.freeze!.level})`,
      );
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
      const { accounts } = paymentCli(ctx);
      const account = await accountFlag(ctx, accounts);
      const amount = amountFlag(ctx)!;
      const description = typeof ctx.flags.description === 'string' ? ctx.flags.description : undefined;
      const t = await ctx.container.get(PAYMENT.Credit).execute({ accountId: account.id, amount, description, operator: operatorOf(ctx) });
      await ctx.audit(
        'accounts.credit',
        { type: 'account', id: account.id },
        {
          after: { transaction_id: t.transactionId, amount: t.amount.toString(), balance_after: t.balanceAfter.toString() },
          details: { description: description ?? null },
        },
      );
      ctx.print(transactionJson(t), `credited ${t.amount.toString()} IDR to ${account.id}: balance ${t.balanceAfter.toString()} (${t.transactionId})`);
    },
  },
];
