import type { LedgerRepository, SettleResult } from '../../domain/ledger/ledger.repository.ts';
import type { UnitTransaction } from '../../domain/shared/unit-of-work.ts';
import type { Leg } from '../../domain/ledger/ledger.repository.ts';
import type { RiskCase } from '../../domain/risk/risk.repository.ts';
import { RiskErrors } from '../../domain/risk/risk.errors.ts';

export interface RiskCases {
  findCase(id: string): Promise<(RiskCase & { onward: Leg[] }) | null>;
  markDecided(tx: UnitTransaction, id: string, status: 'APPROVED' | 'REJECTED', by: string): Promise<void>;
}

/**
 * An operator's decision on a held movement, exactly once: the held row's conditional transition
 * (ledger.settleHeld) is the gate, so of two concurrent decisions one applies and the other finds
 * it final (applied=false).
 *
 * What approval means for the rules: the payer's side was checked when the money was reserved
 * (status, balance, KYC tier); the recipient's side is checked now, as for a new movement — its
 * status must be ACTIVE (a merchant's too) and its tier's balance and monthly limits must leave
 * room. If not, the approval is refused with that error and the case stays PENDING: the operator
 * rejects it instead, and the money goes back to the payer (whatever the payer's status: it is
 * theirs).
 */
export class DecideRiskCaseHandler {
  private readonly cases: RiskCases;
  private readonly ledger: LedgerRepository;

  constructor(cases: RiskCases, ledger: LedgerRepository) {
    this.cases = cases;
    this.ledger = ledger;
  }

  async execute(cmd: {
    caseId: string;
    decision: 'APPROVE' | 'REJECT';
    operator: string;
    reason?: string;
  }): Promise<{ case: RiskCase; settled: SettleResult }> {
    const c = await this.cases.findCase(cmd.caseId);
    if (!c) throw RiskErrors.caseNotFound();
    const status = cmd.decision === 'APPROVE' ? 'APPROVED' : 'REJECTED';
    const settled = await this.ledger.settleHeld(
      c.transactionId,
      cmd.decision === 'APPROVE' ? { outcome: 'SUCCESS', onward: c.onward } : { outcome: 'FAILED', reason: cmd.reason ?? 'rejected by the fraud review' },
      { join: (tx) => this.cases.markDecided(tx, c.id, status, cmd.operator) },
    );
    return { case: (await this.cases.findCase(c.id)) ?? c, settled };
  }
}
