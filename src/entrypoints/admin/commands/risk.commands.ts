import { UsageError, requireFlag, type AdminCommand, type AdminContext } from '../cli.ts';
import { Money } from '../../../domain/shared/money.ts';
import type { RiskCase, RiskCaseStatus } from '../../../domain/risk/risk.repository.ts';
import { RISK_RULE_CODES, changeRule, type RiskParams, type RiskRuleCode, type RuleChange } from '../../../domain/risk/risk-rules.ts';
import { RiskErrors } from '../../../domain/risk/risk.errors.ts';
import { paramsToJson } from '../../../adapters/persistence/risk/postgres-risk.store.ts';
import { PAYMENT } from '../../payment/payment.bindings.ts';
import { operatorOf, transactionJson } from './payment-cli.ts';

/**
 * The fraud rules (src/domain/risk/risk-rules.ts): operators read and change the rules, and decide
 * the movements they held. A decision is made once (the held row's conditional transition); a
 * second decision, concurrent or later, reports the first and changes nothing.
 */
const caseJson = (c: RiskCase) => ({
  id: c.id,
  transaction_id: c.transactionId,
  kind: c.kind,
  payer_account_id: c.payerAccountId,
  counterparty_account_id: c.counterpartyAccountId,
  amount: c.amount.toString(),
  status: c.status,
  rules: c.rules,
  decided_by: c.decidedBy,
  decided_at: c.decidedAt?.toISOString() ?? null,
  created_at: c.createdAt.toISOString(),
});

const store = (ctx: AdminContext) => ctx.container.get(PAYMENT.RiskStore);

function decide(decision: 'APPROVE' | 'REJECT'): AdminCommand {
  const verb = decision === 'APPROVE' ? 'approve' : 'reject';
  return {
    name: `risk cases ${verb}`,
    summary:
      decision === 'APPROVE'
        ? 'approve a held movement once: the reserved amount goes on to the recipient (whose status and KYC limits are checked now)'
        : 'reject a held movement once: the reserved amount returns to the payer with a linked REFUND row',
    usage: `risk cases ${verb} --case ID [--reason TEXT] [--operator NAME]`,
    async run(ctx) {
      const { case: c, settled } = await ctx.container.get(PAYMENT.DecideRiskCase).execute({
        caseId: requireFlag(ctx.flags, 'case'),
        decision,
        operator: operatorOf(ctx),
        reason: typeof ctx.flags.reason === 'string' ? ctx.flags.reason : undefined,
      });
      ctx.print(
        {
          ...caseJson(c),
          decided_now: settled.applied,
          transaction: transactionJson(settled.transaction),
          release: settled.release ? transactionJson(settled.release) : null,
        },
        settled.applied
          ? `case ${c.id} ${c.status.toLowerCase()}: ${c.transactionId} is ${settled.transaction.status}`
          : `case ${c.id} was already ${c.status.toLowerCase()} by ${c.decidedBy}: nothing changed`,
      );
      if (settled.applied)
        await ctx.audit(
          `risk.${verb}`,
          { type: 'risk_case', id: c.id },
          { before: { status: 'PENDING' }, after: { status: c.status, transaction_status: settled.transaction.status } },
        );
    },
  };
}

const intFlag = (ctx: AdminContext, name: string): number | undefined => {
  const v = ctx.flags[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^\d+$/.test(v)) throw new UsageError(`--${name} must be a positive whole number`);
  return Number(v);
};

const idrFlag = (ctx: AdminContext, name: string): bigint | undefined => {
  const v = ctx.flags[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new UsageError(`--${name} is an amount in IDR (e.g. 10000000.00)`);
  try {
    return Money.parse(v).minor;
  } catch {
    throw new UsageError(`--${name} is an amount in IDR (e.g. 10000000.00)`);
  }
};

const ruleText = (r: { code: string; enabled: boolean; outcome: string; params: RiskParams }) =>
  `${r.code.padEnd(20)} ${r.enabled ? 'on ' : 'off'}  ${r.outcome.padEnd(6)}  ${Object.entries(paramsToJson(r.params))
    .map(([k, v]) => `${k}=${k.endsWith('Amount') ? Money.ofMinor(BigInt(v)).toString() : v}`)
    .join(' ')}`;

export const riskCommands: AdminCommand[] = [
  {
    name: 'risk rules list',
    summary: 'list the fraud rules: enabled, outcome, thresholds (amounts in IDR)',
    usage: 'risk rules list',
    async run(ctx) {
      const rules = await store(ctx).listRules();
      ctx.print(
        rules.map((r) => ({
          code: r.code,
          enabled: r.enabled,
          outcome: r.outcome,
          params: paramsToJson(r.params),
          updated_by: r.updatedBy,
          updated_at: r.updatedAt.toISOString(),
        })),
        rules.map(ruleText).join('\n'),
      );
    },
  },
  {
    name: 'risk rules set',
    summary: 'change a fraud rule: enable or disable it, its outcome, its thresholds (effective for the next movement)',
    usage:
      'risk rules set --rule CODE [--enabled true|false] [--outcome REVIEW|BLOCK] [--window-seconds N] [--max-count N] [--max-amount IDR] [--min-amount IDR] [--max-distinct-senders N]',
    async run(ctx) {
      const code = requireFlag(ctx.flags, 'rule').toUpperCase() as RiskRuleCode;
      if (!RISK_RULE_CODES.includes(code)) throw new UsageError(`--rule is one of ${RISK_RULE_CODES.join(', ')}`);
      const enabled = ctx.flags.enabled;
      if (enabled !== undefined && enabled !== 'true' && enabled !== 'false') throw new UsageError('--enabled is true or false');
      const s = store(ctx);
      const before = (await s.listRules()).find((r) => r.code === code);
      if (!before) throw RiskErrors.invalidRule(`no rule ${code}: run the migrations`);
      const params: RuleChange['params'] = {
        windowSeconds: intFlag(ctx, 'window-seconds'),
        maxCount: intFlag(ctx, 'max-count'),
        maxAmount: idrFlag(ctx, 'max-amount'),
        minAmount: idrFlag(ctx, 'min-amount'),
        maxDistinctSenders: intFlag(ctx, 'max-distinct-senders'),
      };
      const after = changeRule(before, {
        enabled: enabled === undefined ? undefined : enabled === 'true',
        outcome: typeof ctx.flags.outcome === 'string' ? ctx.flags.outcome.toUpperCase() : undefined,
        params,
      });
      if ('error' in after) throw new UsageError(after.error);
      await s.setRule(after, operatorOf(ctx));
      ctx.print({ code, enabled: after.enabled, outcome: after.outcome, params: paramsToJson(after.params) }, ruleText(after));
      await ctx.audit(
        'risk.rules.set',
        { type: 'risk_rule', id: code },
        {
          before: { enabled: before.enabled, outcome: before.outcome, params: paramsToJson(before.params) },
          after: { enabled: after.enabled, outcome: after.outcome, params: paramsToJson(after.params) },
        },
      );
    },
  },
  {
    name: 'risk cases list',
    summary: 'list the movements the fraud rules held, pending ones by default',
    usage: 'risk cases list [--status PENDING|APPROVED|REJECTED|ALL] [--limit 100]',
    async run(ctx) {
      const status = typeof ctx.flags.status === 'string' ? ctx.flags.status.toUpperCase() : 'PENDING';
      if (!['PENDING', 'APPROVED', 'REJECTED', 'ALL'].includes(status)) throw new UsageError('--status must be PENDING, APPROVED, REJECTED or ALL');
      const limit = intFlag(ctx, 'limit') ?? 100;
      if (limit < 1 || limit > 10_000) throw new UsageError('--limit must be an integer between 1 and 10000');
      const cases = await store(ctx).listCases({ status: status === 'ALL' ? undefined : (status as RiskCaseStatus), limit });
      ctx.print(
        cases.map(caseJson),
        cases.length === 0
          ? 'no risk cases'
          : cases
              .map(
                (c) => `${c.id}  ${c.status.padEnd(8)} ${c.kind.padEnd(8)} ${c.amount.toString().padStart(14)} IDR  ${c.transactionId}  ${c.rules.join(',')}`,
              )
              .join('\n'),
      );
    },
  },
  {
    name: 'risk cases show',
    summary: 'show a held movement: the rules that fired with their figures, its status and decision',
    usage: 'risk cases show --case ID',
    async run(ctx) {
      const c = await store(ctx).findCase(requireFlag(ctx.flags, 'case'));
      if (!c) throw RiskErrors.caseNotFound();
      ctx.print(
        { ...caseJson(c), hits: c.hits },
        `${c.id}  ${c.status}  ${c.kind} ${c.amount.toString()} IDR  ${c.transactionId}\n${JSON.stringify(c.hits, null, 2)}`,
      );
    },
  },
  decide('APPROVE'),
  decide('REJECT'),
];
