import { randomUUID } from 'node:crypto';
import { DisbursementErrors } from '../../../domain/disbursement/disbursement.errors.ts';
import type { Money } from '../../../domain/shared/money.ts';
import type { DisbursementBehaviour, DisbursementControl, DisbursementResult, DisbursementStatus } from '../../../domain/disbursement/disbursement-provider.ts';

export type TransferOperation = 'transfer' | 'status';

/** One transfer as the simulated bank keeps it. */
export interface SandboxTransfer {
  reference: string;
  providerReference: string;
  amount: Money;
  accountNumber: string;
  status: DisbursementStatus;
  reason?: string;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * The state of the simulated bank-transfer provider, shared by its HTTP sandbox and by the
 * in-memory fake (as SandboxWallets is for the e-wallets): the transfers per reference (a
 * repeated reference is the same transfer) and the behaviour switches a test sets. How a
 * behaviour shows (a 5xx, a hang, a thrown PROVIDER_TIMEOUT) is each front's business; what it
 * does to the book (a new transfer FAILED, PENDING or SUCCESS) is decided here, once.
 */
export class SandboxTransfers implements DisbursementControl {
  private readonly transfers = new Map<string, SandboxTransfer>();
  private readonly behaviours: { op: TransferOperation; b: DisbursementBehaviour; times: number }[] = [];

  behave(operation: TransferOperation, behaviour: DisbursementBehaviour, times = 1): void {
    this.behaviours.push({ op: operation, b: behaviour, times });
  }

  resetBehaviours(): void {
    this.behaviours.splice(0);
  }

  /** The behaviour that applies to this request of `op`, if any (counted down, then dropped). */
  take(op: TransferOperation): DisbursementBehaviour | null {
    const i = this.behaviours.findIndex((x) => x.op === op);
    if (i < 0) return null;
    const x = this.behaviours[i]!;
    if (--x.times <= 0) this.behaviours.splice(i, 1);
    return x.b;
  }

  /**
   * The transfer itself. A repeated reference answers the first transfer unchanged, whatever the
   * behaviour now says; a repeat with another amount is a conflict (INCONSISTENT_REQUEST: the caller's bug).
   */
  applyTransfer(order: { reference: string; amount: Money; accountNumber: string }, b: DisbursementBehaviour | null): SandboxTransfer {
    const existing = this.transfers.get(order.reference);
    if (existing) {
      if (!existing.amount.equals(order.amount)) throw DisbursementErrors.inconsistentRequest();
      return existing;
    }
    const status: DisbursementStatus = b?.kind === 'fail' ? 'FAILED' : b?.kind === 'pending' ? 'PENDING' : 'SUCCESS';
    const now = new Date();
    const t: SandboxTransfer = {
      reference: order.reference,
      providerReference: randomUUID(),
      amount: order.amount,
      accountNumber: order.accountNumber,
      status,
      createdAt: now,
      updatedAt: now,
    };
    if (b?.kind === 'fail') t.reason = b.reason ?? 'ACCOUNT_CLOSED';
    this.transfers.set(order.reference, t);
    return t;
  }

  find(reference: string): SandboxTransfer | null {
    return this.transfers.get(reference) ?? null;
  }

  /** The port's answer about a transfer of the book (NOT_FOUND when the bank never received it). */
  resultOf(reference: string): DisbursementResult {
    const t = this.transfers.get(reference);
    if (!t) return { status: 'FAILED', providerReference: null, reason: 'NOT_FOUND' };
    return { status: t.status, providerReference: t.providerReference, ...(t.status === 'FAILED' ? { reason: t.reason ?? 'FAILED' } : {}) };
  }

  settle(reference: string, status: 'SUCCESS' | 'FAILED', reason?: string): void {
    const t = this.transfers.get(reference);
    if (!t || t.status !== 'PENDING') throw DisbursementErrors.notPending(`transfer ${reference} is not pending`);
    t.status = status;
    if (reason) t.reason = reason;
    t.updatedAt = new Date();
  }

  transfer(reference: string): { reference: string; amount: Money; status: DisbursementStatus; accountNumber: string } | null {
    const t = this.transfers.get(reference);
    return t ? { reference: t.reference, amount: t.amount, status: t.status, accountNumber: t.accountNumber } : null;
  }

  transferCount(): number {
    return this.transfers.size;
  }

  /** Every transfer of the book, oldest first (what the bank credited: the bank-invariant's other side). */
  all(): SandboxTransfer[] {
    return [...this.transfers.values()].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  }
}
