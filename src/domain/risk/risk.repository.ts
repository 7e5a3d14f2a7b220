import type { Money } from '../shared/money.ts';
import type { Leg } from '../ledger/ledger.repository.ts';
import type { UnitTransaction } from '../shared/unit-of-work.ts';
import type { FigureRequest, MovementKind, RiskDecision, RiskFigures, RiskRule, RiskRuleCode, RiskSubject } from './risk-rules.ts';

export type RiskCaseStatus = 'PENDING' | 'APPROVED' | 'REJECTED';

/** One evaluation that was not ALLOW, as the log keeps it (ids and figures only). */
export interface RiskEvaluation {
  id: string;
  kind: MovementKind;
  payerAccountId: string;
  counterpartyAccountId: string | null;
  amount: Money;
  outcome: 'REVIEW' | 'BLOCK';
  decision: RiskDecision;
  /** The held transaction (REVIEW); null for a block (nothing was written). */
  transactionId: string | null;
  createdAt: Date;
}

/** A held movement waiting for an operator. */
export interface RiskCase {
  id: string;
  evaluationId: string;
  transactionId: string;
  kind: MovementKind;
  payerAccountId: string;
  counterpartyAccountId: string | null;
  amount: Money;
  status: RiskCaseStatus;
  rules: RiskRuleCode[];
  decidedBy: string | null;
  decidedAt: Date | null;
  createdAt: Date;
}

/** What approving a case posts: the held money from RISK_HOLD to where the movement was going. */
export interface HeldMovement {
  transactionId: string;
  /** The legs the movement had besides the payer's debit, as they were planned (the recipient's row included). */
  onward: Leg[];
}

/** Reads and writes of the fraud rules, inside the movement's transaction where a handle is given. */
export interface RiskStore {
  rules(tx?: UnitTransaction): Promise<RiskRule[]>;
  /** Counts the figures asked for; called under the payer's row lock, so its own movements cannot change them meanwhile. */
  figures(tx: UnitTransaction, subject: RiskSubject, request: FigureRequest): Promise<RiskFigures>;
  /** Logs a REVIEW and opens its case, in the movement's transaction. */
  hold(tx: UnitTransaction, evaluation: Omit<RiskEvaluation, 'createdAt'>, held: HeldMovement): Promise<void>;
  /** Logs a BLOCK (its own transaction: the movement's rolled back). */
  logBlock(evaluation: Omit<RiskEvaluation, 'createdAt' | 'transactionId'>): Promise<void>;
}
