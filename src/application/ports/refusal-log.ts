import { refusalOf, type Refusal } from '../../domain/ledger/refusal.ts';

/**
 * Where refused movements are recorded for the regulator report's counts by rule. Records are
 * written outside the refused movement's transaction (it rolled back, the refusal must remain),
 * so a caller records after the refusal, never inside the movement:
 * - the ledger records the refusals its rules mark (limits, freezes: domain/ledger/refusal.ts);
 * - a fraud-rules engine records its BLOCK outcomes itself: `record({ rule: 'fds.velocity', code: 'RISK_BLOCKED', accountId, amountMinor })`.
 * A record that cannot be written must not change the answer to the client: implementations
 * report their own failures (onError) and resolve.
 */
export interface RefusalLog {
  record(refusal: Refusal & { at?: Date }): Promise<void>;
}

/** Records the refusal an error was marked with, if any (the ledger calls it once the movement rolled back). */
export async function recordIfRefusal(log: RefusalLog | undefined, err: unknown): Promise<void> {
  const r = refusalOf(err);
  if (log && r) await log.record(r);
}
