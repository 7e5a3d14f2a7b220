/**
 * Daily reconciliation of our top-ups with a provider's statement (issue 17). Pure rules: which
 * day a statement covers, how each line and each of our top-ups is classified, and what an operator
 * may do about each exception. Nothing here changes a balance; a resolution is a movement the
 * application makes through the ledger, once per case.
 */
import type { StatementLine, TopUpStatus } from '../ewallet/ewallet-provider.ts';
import type { TransactionStatus } from '../ledger/transaction.ts';
import { Money } from '../shared/money.ts';
import { ReconciliationErrors } from './reconciliation.errors.ts';
import { CommonErrors } from '../shared/common.errors.ts';

export const EXCEPTION_KINDS = ['MISSING_OURS', 'MISSING_PROVIDER', 'AMOUNT_MISMATCH', 'STATUS_MISMATCH'] as const;
/**
 * MISSING_OURS: the provider has a top-up we have no record of. MISSING_PROVIDER: we have a
 * top-up that is not FAILED and the provider has none. AMOUNT_MISMATCH / STATUS_MISMATCH: both
 * have it, with another amount / another status.
 */
export type ExceptionKind = (typeof EXCEPTION_KINDS)[number];

export const RESOLUTIONS = ['refund', 'write-off', 'settle', 'no-action'] as const;
/**
 * refund: our settlement account gives the customer back what the provider never credited.
 * write-off: the bank (FUNDING) pays into the settlement account what the provider credited without
 * our debit (recovering it from a customer is done out of band). settle: a top-up still PENDING here
 * takes the provider's final status (FAILED when the provider never saw it), through the usual
 * exactly-once settlement. no-action: documented with a note (e.g. the provider corrects its side).
 */
export type Resolution = (typeof RESOLUTIONS)[number];

/** Our side of one top-up, as the ledger has it. */
export interface OurTopUp {
  transactionId: string;
  accountId: string;
  amount: Money;
  status: TransactionStatus;
  createdAt: Date;
}

export interface ReconciliationException {
  kind: ExceptionKind;
  reference: string;
  providerReference: string | null;
  ourAmount: Money | null;
  providerAmount: Money | null;
  ourStatus: TransactionStatus | null;
  providerStatus: TopUpStatus | null;
}

export interface ReconciliationCounts {
  statementLines: number;
  ourTopUps: number;
  matched: number;
  missingOurs: number;
  missingProvider: number;
  amountMismatch: number;
  statusMismatch: number;
}

const JAKARTA_OFFSET_MS = 7 * 3600_000;

/** A YYYY-MM-DD that is a real date, else DomainError INVALID_DATE. */
export function parseStatementDate(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== date) {
    throw CommonErrors.invalidDate(`not a date (YYYY-MM-DD): ${date}`);
  }
  return date;
}

/** The instants a statement day covers: [00:00, 24:00) Jakarta time (UTC+7). */
export function statementWindow(date: string): { from: Date; to: Date } {
  const from = new Date(Date.parse(`${parseStatementDate(date)}T00:00:00Z`) - JAKARTA_OFFSET_MS);
  return { from, to: new Date(from.getTime() + 86_400_000) };
}

/** The statement day (Jakarta time) an instant belongs to. */
export const statementDateOf = (at: Date): string => new Date(at.getTime() + JAKARTA_OFFSET_MS).toISOString().slice(0, 10);

export const nextDate = (date: string): string => new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/**
 * A top-up of ours created this close to the end of the day may reach the provider after its
 * midnight and appear on the next day's statement: such a top-up missing from the day's statement
 * is looked for on the next one before it is called missing.
 */
export const CUTOFF_GRACE_MS = 10 * 60_000;

/** Our status and the provider's agree (a CANCELLED top-up of ours never credited anything: FAILED). */
const sameStatus = (ours: TransactionStatus, theirs: TopUpStatus): boolean => (ours === 'CANCELLED' ? 'FAILED' : ours) === theirs;

/**
 * Classifies a day. `lines`: the provider's statement; `ours(ref)`: our top-up with that reference,
 * whatever day it was made; `ourDay`: our top-ups made on the day; `nextDayRefs`: the references on
 * the next day's statement (for top-ups near midnight), or null when that statement is not needed.
 * A top-up of ours that FAILED and is unknown to the provider is consistent (no money moved on
 * either side) and counts as matched.
 */
export function reconcile(
  lines: StatementLine[],
  ours: (reference: string) => OurTopUp | undefined,
  ourDay: OurTopUp[],
  nextDayRefs: ReadonlySet<string> | null,
): { counts: ReconciliationCounts; exceptions: ReconciliationException[] } {
  const exceptions: ReconciliationException[] = [];
  const counts: ReconciliationCounts = {
    statementLines: lines.length,
    ourTopUps: ourDay.length,
    matched: 0,
    missingOurs: 0,
    missingProvider: 0,
    amountMismatch: 0,
    statusMismatch: 0,
  };
  const onStatement = new Set<string>();
  for (const line of lines) {
    onStatement.add(line.reference);
    const o = ours(line.reference);
    const base = { reference: line.reference, providerReference: line.providerReference, providerAmount: line.amount, providerStatus: line.status };
    if (!o) {
      exceptions.push({ ...base, kind: 'MISSING_OURS', ourAmount: null, ourStatus: null });
      counts.missingOurs += 1;
    } else if (!o.amount.equals(line.amount)) {
      exceptions.push({ ...base, kind: 'AMOUNT_MISMATCH', ourAmount: o.amount, ourStatus: o.status });
      counts.amountMismatch += 1;
    } else if (!sameStatus(o.status, line.status)) {
      exceptions.push({ ...base, kind: 'STATUS_MISMATCH', ourAmount: o.amount, ourStatus: o.status });
      counts.statusMismatch += 1;
    } else counts.matched += 1;
  }
  for (const o of ourDay) {
    if (onStatement.has(o.transactionId)) continue;
    if (o.status === 'FAILED' || o.status === 'CANCELLED' || nextDayRefs?.has(o.transactionId)) {
      counts.matched += 1;
      continue;
    }
    exceptions.push({
      kind: 'MISSING_PROVIDER',
      reference: o.transactionId,
      providerReference: null,
      ourAmount: o.amount,
      providerAmount: null,
      ourStatus: o.status,
      providerStatus: null,
    });
    counts.missingProvider += 1;
  }
  return { counts, exceptions };
}

/** What a resolution does, decided from the exception alone. */
export type ResolutionEffect =
  { kind: 'refund'; amount: Money } | { kind: 'write-off'; amount: Money } | { kind: 'settle'; outcome: 'SUCCESS' | 'FAILED' } | { kind: 'no-action' };

/**
 * The movement (or none) a resolution makes for an exception; DomainError RESOLUTION_NOT_APPLICABLE
 * when it does not fit (refunding what the provider did credit, writing off what it did not).
 */
export function resolutionEffect(e: ReconciliationException, resolution: Resolution): ResolutionEffect {
  const refusal = (why: string) => ReconciliationErrors.resolutionNotApplicable(`${resolution} does not apply to this ${e.kind}: ${why}`);
  if (resolution === 'no-action') return { kind: 'no-action' };
  if (resolution === 'settle') {
    if (e.ourStatus !== 'PENDING') throw refusal('our top-up is not PENDING');
    if (e.providerStatus === 'PENDING') throw refusal('the provider has not decided either');
    return { kind: 'settle', outcome: e.providerStatus === 'SUCCESS' ? 'SUCCESS' : 'FAILED' };
  }
  // What the provider credited to the e-wallet, and what we kept of the customer's money for it.
  const credited = e.providerStatus === 'SUCCESS' ? e.providerAmount! : Money.zero();
  const kept = e.ourStatus === 'SUCCESS' ? e.ourAmount! : Money.zero();
  if (e.ourStatus === 'PENDING') throw refusal('our top-up is still PENDING: settle it first');
  if (e.providerStatus === 'PENDING') throw refusal('the provider has not decided yet: reconcile the day again later');
  if (resolution === 'refund') {
    if (kept.compare(credited) <= 0) throw refusal('the provider credited at least what we debited');
    return { kind: 'refund', amount: kept.minus(credited) };
  }
  if (credited.compare(kept) <= 0) throw refusal('we debited at least what the provider credited');
  return { kind: 'write-off', amount: credited.minus(kept) };
}

export const isExceptionKind = (v: string): v is ExceptionKind => (EXCEPTION_KINDS as readonly string[]).includes(v);
export const isResolution = (v: string): v is Resolution => (RESOLUTIONS as readonly string[]).includes(v);
