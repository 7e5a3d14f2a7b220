import { Money, signedMinorText } from '../shared/money.ts';

/** One journal entry of a merchant's account, with what the journal's transaction id refers to. */
export interface MerchantJournalEntry {
  at: Date;
  transactionId: string;
  delta: bigint;
  balanceBefore: Money;
  balanceAfter: Money;
  /** The customer-side row the movement wrote (PAYMENT or REFUND), if any. */
  history: { type: string; amount: Money } | null;
  /** The payout the movement belongs to, if any (a payout, or the return of a failed one). */
  payout: { reference: string; returned: boolean } | null;
}

export type StatementKind = 'OPENING_BALANCE' | 'PAYMENT' | 'REFUND' | 'PAYOUT' | 'PAYOUT_RETURNED' | 'ADJUSTMENT';

export interface StatementLine {
  at: Date;
  kind: StatementKind;
  transactionId: string;
  /** What the payer paid (PAYMENT) or was given back (REFUND, negative). */
  gross: bigint | null;
  /** The MDR charged (PAYMENT) or given back (REFUND, negative). */
  fee: bigint | null;
  /** The change of the merchant's balance: exactly the journal entry. */
  net: bigint;
  balanceAfter: Money;
}

export interface Statement {
  opening: Money;
  closing: Money;
  lines: StatementLine[];
  totals: { payments: number; gross: bigint; fees: bigint; refunds: number; refunded: bigint; payouts: bigint; net: bigint };
}

function kindOf(e: MerchantJournalEntry): StatementKind {
  if (e.payout) return e.payout.returned ? 'PAYOUT_RETURNED' : 'PAYOUT';
  if (e.history?.type === 'PAYMENT') return 'PAYMENT';
  if (e.history?.type === 'REFUND') return 'REFUND';
  if (e.transactionId.startsWith('OPENING-')) return 'OPENING_BALANCE'; // the merchants migration's carve-out
  return 'ADJUSTMENT';
}

/**
 * A merchant's statement is its journal, line for line: each line is one entry (net = the entry's
 * amount), gross and fee are read from the payment or refund it belongs to, and the closing
 * balance is the opening plus every line. An entry that does not chain from the one before is a
 * broken journal, and no statement is produced.
 */
export function buildStatement(opening: Money, entries: readonly MerchantJournalEntry[]): Statement {
  let running = opening.minor;
  const totals = { payments: 0, gross: 0n, fees: 0n, refunds: 0, refunded: 0n, payouts: 0n, net: 0n };
  const lines = entries.map((e): StatementLine => {
    if (e.balanceBefore.minor !== running || e.balanceAfter.minor !== running + e.delta)
      throw new Error(`journal entry of ${e.transactionId} does not chain: the statement would not equal the journal`);
    running += e.delta;
    const kind = kindOf(e);
    let gross: bigint | null = null;
    let fee: bigint | null = null;
    if (kind === 'PAYMENT' && e.history) {
      gross = e.history.amount.minor;
      fee = gross - e.delta;
      totals.payments++;
      totals.gross += gross;
      totals.fees += fee;
    } else if (kind === 'REFUND' && e.history) {
      gross = -e.history.amount.minor;
      fee = gross - e.delta; // the fee given back, negative
      totals.refunds++;
      totals.refunded += e.history.amount.minor;
      totals.fees += fee;
    } else if (kind === 'PAYOUT' || kind === 'PAYOUT_RETURNED') totals.payouts += -e.delta;
    totals.net += e.delta;
    return { at: e.at, kind, transactionId: e.transactionId, gross, fee, net: e.delta, balanceAfter: e.balanceAfter };
  });
  return { opening, closing: Money.ofMinor(running), lines, totals };
}

const text = (v: bigint | null) => (v === null ? null : signedMinorText(v));

export function statementJson(merchant: { code: string; name: string }, range: { from: string; to: string }, s: Statement): Record<string, unknown> {
  return {
    merchant: { code: merchant.code, name: merchant.name },
    from: range.from,
    to: range.to,
    time_zone: 'Asia/Jakarta',
    currency: 'IDR',
    opening_balance: s.opening.toString(),
    closing_balance: s.closing.toString(),
    totals: {
      payments: s.totals.payments,
      gross: text(s.totals.gross),
      fees: text(s.totals.fees),
      refunds: s.totals.refunds,
      refunded: text(s.totals.refunded),
      payouts: text(s.totals.payouts),
      net: text(s.totals.net),
    },
    lines: s.lines.map((l) => ({
      at: l.at.toISOString(),
      kind: l.kind,
      transaction_id: l.transactionId,
      gross: text(l.gross),
      fee: text(l.fee),
      net: text(l.net),
      balance_after: l.balanceAfter.toString(),
    })),
  };
}

export function statementCsv(s: Statement): string {
  const rows = [['at', 'kind', 'transaction_id', 'gross', 'fee', 'net', 'balance_after']];
  rows.push(['', 'OPENING', '', '', '', '', s.opening.toString()]);
  for (const l of s.lines)
    rows.push([l.at.toISOString(), l.kind, l.transactionId, text(l.gross) ?? '', text(l.fee) ?? '', text(l.net)!, l.balanceAfter.toString()]);
  rows.push(['', 'CLOSING', '', '', '', '', s.closing.toString()]);
  return rows.map((r) => r.join(',')).join('\r\n') + '\r\n';
}
