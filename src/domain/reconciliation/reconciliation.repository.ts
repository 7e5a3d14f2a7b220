import type { EWalletMethod } from '../ewallet/ewallet-provider.ts';
import type { UnitTransaction } from '../shared/unit-of-work.ts';
import type { OurTopUp, ReconciliationCounts, ReconciliationException, Resolution } from './reconciliation.ts';

export interface ReconciliationRun extends ReconciliationCounts {
  id: string;
  provider: EWalletMethod;
  statementDate: string;
  triggeredBy: string;
  startedAt: Date;
  finishedAt: Date;
  statementSha256: string;
  /** Exceptions found by this run, with the case each belongs to. */
  exceptions: (ReconciliationException & { caseId: string })[];
}

export interface ReconciliationCase extends ReconciliationException {
  id: string;
  provider: EWalletMethod;
  statementDate: string;
  openedByRun: string;
  openedAt: Date;
  status: 'OPEN' | 'RESOLVED';
  resolution: Resolution | null;
  note: string | null;
  resolvedBy: string | null;
  resolvedAt: Date | null;
  movementId: string | null;
  resolutionTransactionId: string | null;
}

export interface CaseResolution {
  resolution: Resolution;
  note: string | null;
  operator: string;
  movementId: string | null;
  transactionId: string | null;
}

/** Where runs and cases are kept, and how one replica claims the day's scheduled run. */
export interface ReconciliationRepository {
  /** Our top-ups through this provider created in [from, to). */
  ourTopUpsBetween(provider: EWalletMethod, from: Date, to: Date): Promise<OurTopUp[]>;
  /** Our top-ups through this provider with these references, whatever their day. */
  ourTopUpsByReference(provider: EWalletMethod, references: string[]): Promise<OurTopUp[]>;
  /** Stores the run and its exceptions, opening a case for each discrepancy not seen before: one transaction. */
  saveRun(run: Omit<ReconciliationRun, 'id' | 'finishedAt' | 'exceptions'> & { exceptions: ReconciliationException[] }): Promise<ReconciliationRun>;
  runs(filter: { provider?: EWalletMethod; from: string; to: string }): Promise<ReconciliationRun[]>;
  findCase(id: string): Promise<ReconciliationCase | null>;
  cases(filter: { provider?: EWalletMethod; status?: 'OPEN' | 'RESOLVED'; from?: string; to?: string }): Promise<ReconciliationCase[]>;
  /**
   * Marks an OPEN case resolved; false when it was not OPEN any more. With `tx`, inside the ledger
   * movement's transaction, so the movement and the resolution commit together or not at all.
   */
  resolve(caseId: string, resolution: CaseResolution, tx?: UnitTransaction): Promise<boolean>;
  /** Claims the scheduled run of a day for `owner` until the lease ends; false when another holds it or it ran. */
  claimDaily(provider: EWalletMethod, date: string, owner: string, leaseSeconds: number): Promise<boolean>;
  /** Records the claimed run as done: no replica runs that day again. */
  finishDaily(provider: EWalletMethod, date: string, owner: string, runId: string): Promise<void>;
}
