import type { Payout } from '../../domain/disbursement/payout.ts';
import { CheckPayoutHandler } from './check-payout.handler.ts';
import type { PayoutBankDeps } from './payout-bank.ts';

/** Checks every PENDING payout older than `olderThan`, one after the other: what the operator's `merchants payout-check` runs. */
export class CheckPendingPayoutsHandler {
  private readonly deps: PayoutBankDeps;
  private readonly check: CheckPayoutHandler;

  constructor(deps: PayoutBankDeps) {
    this.deps = deps;
    this.check = new CheckPayoutHandler(deps);
  }

  async execute(cmd: { olderThan: Date; limit?: number }): Promise<Payout[]> {
    const out: Payout[] = [];
    for (const p of await this.deps.payouts.pending(cmd.olderThan, cmd.limit ?? 100)) out.push(await this.check.execute(p.reference));
    return out;
  }
}
