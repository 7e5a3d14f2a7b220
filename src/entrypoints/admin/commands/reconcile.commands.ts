import { UsageError, requireFlag, type AdminCommand, type AdminContext } from '../cli.ts';
import { ReconcileStatementHandler } from '../../../application/payment/reconcile-statements/reconcile-statement.handler.ts';
import type { EWalletMethod } from '../../../domain/ewallet/ewallet-provider.ts';
import { PAYMENT_METHODS } from '../../../domain/ledger/transaction.ts';
import { RESOLUTIONS, isResolution, parseStatementDate, type ReconciliationException } from '../../../domain/reconciliation/reconciliation.ts';
import type { ReconciliationCase, ReconciliationRun } from '../../../domain/reconciliation/reconciliation.repository.ts';
import type { DomainError } from '../../../domain/shared/domain-error.ts';
import { operatorOf } from './payment-cli.ts';
import { PAYMENT } from '../../payment/payment.bindings.ts';

const PROVIDERS: readonly EWalletMethod[] = PAYMENT_METHODS;

function providerFlag(ctx: AdminContext, required: boolean): EWalletMethod | undefined {
  const v = ctx.flags.provider;
  if (v === undefined && !required) return undefined;
  const p = typeof v === 'string' ? v.toUpperCase().replace('SHOPEEPAY', 'SHOPEE_PAY') : '';
  if (!PROVIDERS.includes(p as EWalletMethod)) throw new UsageError(`--provider must be ${PAYMENT_METHODS.join(' or ')}`);
  return p as EWalletMethod;
}

function dateFlag(ctx: AdminContext, name: string): string | undefined {
  const v = ctx.flags[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new UsageError(`--${name} needs a date (YYYY-MM-DD)`);
  try {
    return parseStatementDate(v);
  } catch (err) {
    throw new UsageError(`--${name}: ${(err as DomainError).message}`);
  }
}

const exceptionJson = (e: ReconciliationException & { caseId?: string }) => ({
  case_id: e.caseId,
  kind: e.kind,
  transaction_id: e.reference,
  provider_reference: e.providerReference,
  our_amount: e.ourAmount?.toString() ?? null,
  provider_amount: e.providerAmount?.toString() ?? null,
  our_status: e.ourStatus,
  provider_status: e.providerStatus,
});

const runJson = (r: ReconciliationRun) => ({
  run_id: r.id,
  provider: r.provider,
  statement_date: r.statementDate,
  triggered_by: r.triggeredBy,
  finished_at: r.finishedAt.toISOString(),
  statement_sha256: r.statementSha256,
  counts: {
    statement_lines: r.statementLines,
    our_topups: r.ourTopUps,
    matched: r.matched,
    missing_ours: r.missingOurs,
    missing_provider: r.missingProvider,
    amount_mismatch: r.amountMismatch,
    status_mismatch: r.statusMismatch,
  },
  exceptions: r.exceptions.map(exceptionJson),
});

const caseJson = (c: ReconciliationCase) => ({
  ...exceptionJson({ ...c, caseId: c.id }),
  provider: c.provider,
  statement_date: c.statementDate,
  status: c.status,
  opened_by_run: c.openedByRun,
  resolution: c.resolution,
  note: c.note,
  resolved_by: c.resolvedBy,
  resolved_at: c.resolvedAt?.toISOString() ?? null,
  movement_id: c.movementId,
  resolution_transaction_id: c.resolutionTransactionId,
});

const runLine = (r: ReconciliationRun) =>
  `${r.statementDate} ${r.provider.padEnd(10)} run ${r.id}: ${r.statementLines} statement lines, ${r.ourTopUps} top-ups of ours; matched ${r.matched}, missing ours ${r.missingOurs}, missing at provider ${r.missingProvider}, amount mismatch ${r.amountMismatch}, status mismatch ${r.statusMismatch}`;
const caseLine = (c: ReconciliationCase) =>
  `case ${c.id} ${c.status.padEnd(8)} ${c.provider} ${c.statementDate} ${c.kind} ${c.reference} ours ${c.ourAmount?.toString() ?? '-'} ${c.ourStatus ?? '-'} / provider ${c.providerAmount?.toString() ?? '-'} ${c.providerStatus ?? '-'}${c.resolution ? ` → ${c.resolution} by ${c.resolvedBy}${c.note ? ` (${c.note})` : ''}` : ''}`;

export const reconcileCommands: AdminCommand[] = [
  {
    name: 'reconcile',
    summary: "reconcile a provider's daily statement with our top-ups (stores the run, opens cases; moves no money)",
    usage: 'reconcile --provider GOPAY|SHOPEE_PAY --date YYYY-MM-DD [--operator NAME]',
    async run(ctx) {
      const provider = providerFlag(ctx, true)!;
      const date = dateFlag(ctx, 'date') ?? requireFlag(ctx.flags, 'date');
      // Loaded here only: the provider adapters are not needed by any other command.
      const { createEWalletProviders, needsSandboxes } = await import('../../../adapters/ewallet/index.ts');
      const { pino } = await import('pino');
      if (needsSandboxes(ctx.config)) {
        throw new UsageError(
          'reconcile fetches the statement from the provider: set GOPAY_BASE_URL and SHOPEEPAY_BASE_URL with their credentials (for `npm run sandbox`: set -a; . .data/sandbox/payment.env; set +a)',
        );
      }
      const { providers } = createEWalletProviders(ctx.config, pino({ level: 'silent' }));
      const run = await new ReconcileStatementHandler(ctx.container.get(PAYMENT.Reconciliation), providers).execute({
        provider,
        date,
        triggeredBy: operatorOf(ctx),
      });
      ctx.print(runJson(run), [runLine(run), ...run.exceptions.map((e) => `  case ${e.caseId}: ${e.kind} ${e.reference}`)].join('\n'));
    },
  },
  {
    name: 'reconcile report',
    summary: 'the reconciliation runs of a day or a range, with their counts and exceptions, and the cases still open',
    usage: 'reconcile report (--date YYYY-MM-DD | --from YYYY-MM-DD --to YYYY-MM-DD) [--provider P]',
    async run(ctx) {
      const day = dateFlag(ctx, 'date');
      const from = day ?? dateFlag(ctx, 'from');
      const to = day ?? dateFlag(ctx, 'to');
      if (!from || !to) throw new UsageError('give --date, or --from and --to');
      if (from > to) throw new UsageError('--from is after --to');
      const provider = providerFlag(ctx, false);
      const repo = ctx.container.get(PAYMENT.Reconciliation);
      const runs = await repo.runs({ provider, from, to });
      const open = await repo.cases({ provider, status: 'OPEN', from, to });
      ctx.print(
        { from, to, provider: provider ?? null, runs: runs.map(runJson), open_cases: open.map(caseJson) },
        [
          `reconciliation ${from}${to !== from ? ` .. ${to}` : ''}${provider ? ` ${provider}` : ''}: ${runs.length} runs, ${open.length} open cases`,
          ...runs.map(runLine),
          ...open.map(caseLine),
        ].join('\n'),
      );
    },
  },
  {
    name: 'reconcile cases',
    summary: 'reconciliation cases (open by default)',
    usage: 'reconcile cases [--provider P] [--status OPEN|RESOLVED|ALL] [--from YYYY-MM-DD] [--to YYYY-MM-DD]',
    async run(ctx) {
      const status = typeof ctx.flags.status === 'string' ? ctx.flags.status.toUpperCase() : 'OPEN';
      if (!['OPEN', 'RESOLVED', 'ALL'].includes(status)) throw new UsageError('--status must be OPEN, RESOLVED or ALL');
      const cases = await ctx.container.get(PAYMENT.Reconciliation).cases({
        provider: providerFlag(ctx, false),
        status: status === 'ALL' ? undefined : (status as 'OPEN' | 'RESOLVED'),
        from: dateFlag(ctx, 'from'),
        to: dateFlag(ctx, 'to'),
      });
      ctx.print(cases.map(caseJson), cases.length ? cases.map(caseLine).join('\n') : 'no cases');
    },
  },
  {
    name: 'reconcile resolve',
    summary: 'resolve a case once: refund (settlement → customer), write-off (FUNDING → settlement), settle (a PENDING top-up), or no-action with a note',
    usage: `reconcile resolve --case ID --action ${RESOLUTIONS.join('|')} [--note TEXT] [--operator NAME]`,
    async run(ctx) {
      const action = requireFlag(ctx.flags, 'action');
      if (!isResolution(action)) throw new UsageError(`--action must be one of ${RESOLUTIONS.join(', ')}`);
      const c = await ctx.container.get(PAYMENT.ResolveCase).execute({
        caseId: requireFlag(ctx.flags, 'case'),
        resolution: action,
        note: typeof ctx.flags.note === 'string' ? ctx.flags.note : null,
        operator: operatorOf(ctx),
      });
      await ctx.audit('reconcile.resolve', { type: 'reconciliation_case', id: String(c.id) }, { after: caseJson(c) });
      ctx.print(caseJson(c), caseLine(c));
    },
  },
];
