import { DomainError } from '../../domain/shared/domain-error.ts';
import type { DisbursementBehaviour, DisbursementProvider, DisbursementResult, TransferOrder } from '../../domain/disbursement/disbursement-provider.ts';
import { SandboxTransfers, type TransferOperation } from '../disbursement/sandbox/sandbox-transfers.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The disbursement port in memory, over the sandbox's own book of transfers and fault switches
 * (`control`; pass a sandbox's to share it). A 'timeout' does the work and then throws
 * PROVIDER_TIMEOUT, as a lost answer would. Passes the same contract suite as the HTTP adapter.
 */
export class InMemoryDisbursementProvider implements DisbursementProvider {
  readonly control: SandboxTransfers;

  constructor(opts: { control?: SandboxTransfers } = {}) {
    this.control = opts.control ?? new SandboxTransfers();
  }

  async transfer(order: TransferOrder): Promise<DisbursementResult> {
    const b = await this.take('transfer');
    try {
      this.control.applyTransfer(order, b);
    } catch (err) {
      if ((err as DomainError).code !== 'INCONSISTENT_REQUEST') throw err;
      throw new DomainError('PROVIDER_ERROR', 'bad_gateway', 'reference used with another amount');
    }
    if (b?.kind === 'timeout') throw new DomainError('PROVIDER_TIMEOUT', 'timeout', 'disbursement provider did not answer in time');
    return this.control.resultOf(order.reference);
  }

  async status(reference: string): Promise<DisbursementResult> {
    const b = await this.take('status');
    if (b?.kind === 'timeout') throw new DomainError('PROVIDER_TIMEOUT', 'timeout', 'disbursement provider did not answer in time');
    return this.control.resultOf(reference);
  }

  /** The sandbox's 'slow' and 'error' as this front shows them: a delay, a PROVIDER_ERROR before any work. */
  private async take(op: TransferOperation): Promise<DisbursementBehaviour | null> {
    const b = this.control.take(op);
    if (b?.kind === 'slow') await sleep(b.delayMs);
    if (b?.kind === 'error') throw new DomainError('PROVIDER_ERROR', 'bad_gateway', 'disbursement provider answered 500');
    return b;
  }
}
