import { UsageError, requireFlag, type AdminCommand } from '../cli.ts';
import type { ProviderDiscrepancy } from '../../../domain/ledger/provider-discrepancy.ts';
import { discrepancyNotFound } from '../../../adapters/persistence/payment/postgres-provider-discrepancy.repository.ts';
import { operatorOf } from './payment-cli.ts';
import { PAYMENT } from '../../payment/payment.bindings.ts';

/**
 * Provider discrepancy cases (docs/SECURITY.md, "Money across the provider boundary"): a provider
 * confirmed SUCCESS for a top-up we had recorded FAILED and released. `settle` makes the books
 * right exactly once: the released amount is taken back from the customer when the balance
 * allows, otherwise the bank's FUNDING account bears the loss; both are balanced, journaled
 * movements into the provider's settlement account.
 */
const json = (d: ProviderDiscrepancy) => ({
  id: d.id,
  transaction_id: d.transactionId,
  kind: d.kind,
  payment_method: d.paymentMethod,
  account_id: d.accountId,
  user_id: d.userId,
  amount: d.amount.toString(),
  provider_reference: d.providerReference,
  detected_via: d.detectedVia,
  detected_at: d.detectedAt.toISOString(),
  status: d.status,
  resolution: d.resolution,
  resolution_movement_id: d.resolutionMovementId,
  resolution_transaction_id: d.resolutionTransactionId,
  resolved_by: d.resolvedBy,
  resolved_at: d.resolvedAt?.toISOString() ?? null,
});

const repository = (ctx: Parameters<AdminCommand['run']>[0]) => ctx.container.get(PAYMENT.Discrepancies);

export const discrepanciesCommands: AdminCommand[] = [
  {
    name: 'discrepancies list',
    summary: 'list provider discrepancy cases (a provider SUCCESS after our FAILED), open ones by default',
    usage: 'discrepancies list [--status OPEN|RESOLVED|ALL] [--limit 100]',
    async run(ctx) {
      const status = typeof ctx.flags.status === 'string' ? ctx.flags.status.toUpperCase() : 'OPEN';
      if (!['OPEN', 'RESOLVED', 'ALL'].includes(status)) throw new UsageError('--status must be OPEN, RESOLVED or ALL');
      const limit = ctx.flags.limit === undefined ? 100 : Number(ctx.flags.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new UsageError('--limit must be an integer between 1 and 10000');
      const cases = await repository(ctx).list({ status: status === 'ALL' ? undefined : (status as 'OPEN' | 'RESOLVED'), limit });
      ctx.print(
        cases.map(json),
        cases.length === 0
          ? `no ${status === 'ALL' ? '' : `${status.toLowerCase()} `}discrepancy cases`
          : cases
              .map(
                (d) =>
                  `${d.id}  ${d.status.padEnd(8)} ${d.paymentMethod.padEnd(10)} ${d.amount.toString().padStart(14)} IDR  ${d.transactionId}  via ${d.detectedVia}${d.resolution ? `  ${d.resolution}` : ''}`,
              )
              .join('\n'),
      );
    },
  },
  {
    name: 'discrepancies settle',
    summary: "settle an open case once: re-debit the released amount from the customer, or book it as the bank's loss when the balance does not allow",
    usage: 'discrepancies settle --case ID [--operator NAME]',
    async run(ctx) {
      const id = requireFlag(ctx.flags, 'case');
      const repo = repository(ctx);
      if (!(await repo.find(id))) throw discrepancyNotFound();
      const { settled, discrepancy: d } = await repo.settle(id, operatorOf(ctx));
      const how =
        d.resolution === 'REDEBIT'
          ? `re-debited ${d.amount.toString()} IDR from account ${d.accountId} (${d.resolutionTransactionId})`
          : `booked ${d.amount.toString()} IDR as the bank's loss (FUNDING → ${d.paymentMethod} settlement)`;
      ctx.print({ ...json(d), settled_now: settled }, settled ? `case ${d.id} settled: ${how}` : `case ${d.id} was already settled by ${d.resolvedBy}: ${how}`);
      if (settled)
        await ctx.audit(
          'discrepancies.settle',
          { type: 'discrepancy', id: d.id },
          { after: { resolution: d.resolution, resolution_transaction_id: d.resolutionTransactionId ?? null, amount: d.amount.toString() } },
        );
    },
  },
];
