import { randomUUID } from 'node:crypto';
import type { DisbursementBehaviour, DisbursementControl, DisbursementProvider, DisbursementResult, DisbursementStatus, TransferOrder } from '../../domain/disbursement/disbursement-provider.ts';
import type { Money } from '../../domain/shared/money.ts';
import { DisbursementErrors } from '../../domain/disbursement/disbursement.errors.ts';
import { CommonErrors } from '../../domain/shared/common.errors.ts';

interface Transfer {
  reference: string;
  providerReference: string;
  amount: Money;
  accountNumber: string;
  status: DisbursementStatus;
  reason?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The disbursement port in memory, with the sandbox's fault switches (a 'timeout' does the work
 * and then throws PROVIDER_TIMEOUT, as a lost answer would). Passes the same contract suite.
 */
export class InMemoryDisbursementProvider implements DisbursementProvider {
  private readonly transfers = new Map<string, Transfer>();
  private readonly behaviours: { op: 'transfer' | 'status'; b: DisbursementBehaviour; times: number }[] = [];

  readonly control: DisbursementControl = {
    behave: (operation, behaviour, times = 1) => void this.behaviours.push({ op: operation, b: behaviour, times }),
    resetBehaviours: () => void this.behaviours.splice(0),
    settle: (reference, status, reason) => {
      const t = this.transfers.get(reference);
      if (!t || t.status !== 'PENDING') throw DisbursementErrors.notPending(`transfer ${reference} is not pending`);
      t.status = status;
      if (reason) t.reason = reason;
    },
    transfer: (reference) => {
      const t = this.transfers.get(reference);
      return t ? { reference: t.reference, amount: t.amount, status: t.status, accountNumber: t.accountNumber } : null;
    },
    transferCount: () => this.transfers.size,
  };

  async transfer(order: TransferOrder): Promise<DisbursementResult> {
    const b = await this.take('transfer');
    let t = this.transfers.get(order.reference);
    if (!t) {
      const status: DisbursementStatus = b?.kind === 'fail' ? 'FAILED' : b?.kind === 'pending' ? 'PENDING' : 'SUCCESS';
      t = { reference: order.reference, providerReference: randomUUID(), amount: order.amount, accountNumber: order.accountNumber, status, ...(status === 'FAILED' ? { reason: b?.kind === 'fail' ? (b.reason ?? 'ACCOUNT_CLOSED') : undefined } : {}) };
      this.transfers.set(order.reference, t);
    } else if (!t.amount.equals(order.amount)) throw CommonErrors.providerError('reference used with another amount');
    if (b?.kind === 'timeout') throw CommonErrors.providerTimeout();
    return this.result(t);
  }

  async status(reference: string): Promise<DisbursementResult> {
    const b = await this.take('status');
    const t = this.transfers.get(reference);
    if (b?.kind === 'timeout') throw CommonErrors.providerTimeout();
    return t ? this.result(t) : { status: 'FAILED', providerReference: null, reason: 'NOT_FOUND' };
  }

  private async take(op: 'transfer' | 'status'): Promise<DisbursementBehaviour | null> {
    const i = this.behaviours.findIndex((x) => x.op === op);
    if (i < 0) return null;
    const x = this.behaviours[i]!;
    if (--x.times <= 0) this.behaviours.splice(i, 1);
    if (x.b.kind === 'slow') await sleep(x.b.delayMs);
    if (x.b.kind === 'error') throw CommonErrors.providerError('disbursement provider answered 500');
    return x.b;
  }

  private result(t: Transfer): DisbursementResult {
    return { status: t.status, providerReference: t.providerReference, ...(t.status === 'FAILED' ? { reason: t.reason ?? 'FAILED' } : {}) };
  }
}
