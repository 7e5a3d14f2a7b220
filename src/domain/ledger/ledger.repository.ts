import type { Money } from '../shared/money.ts';
import type { AccountRule, SystemAccountCode } from '../wallet/account.ts';
import type { LimitState } from './limits.ts';
import type { LedgerTransaction, PaymentMethod, TransactionStatus, TransactionType } from './transaction.ts';
import type { UnitOfWork, UnitTransaction } from '../shared/unit-of-work.ts';

/** A customer account by id, a merchant's account by id, or one of the bank's system accounts by code. */
export type AccountRef = { accountId: string } | { merchantAccountId: string } | { system: SystemAccountCode };

/** The customer-side history row a movement writes for one of its sides. */
export interface HistoryRow {
  transactionId: string;
  type: TransactionType;
  status: TransactionStatus;
  description?: string | null;
  paymentMethod?: PaymentMethod | null;
  externalReference?: string | null;
  metadata?: Record<string, unknown> | null;
  relatedTransactionId?: string | null;
}

/** Reads made inside the movement's transaction, before the balances change. */
export interface LedgerGuardReader {
  /** Locks a transaction row (FOR UPDATE) and returns it: serialises refunds of one payment. */
  lockTransaction(transactionId: string): Promise<LedgerTransaction | null>;
  /** Sum of the REFUND rows linked to a transaction that did not fail. */
  refundedTotal(transactionId: string): Promise<Money>;
}

export interface Movement {
  amount: Money;
  from: AccountRef;
  to: AccountRef;
  fromRule: AccountRule;
  toRule: AccountRule;
  /** History rows for customer sides (system sides only get journal entries). */
  fromRow?: HistoryRow;
  toRow?: HistoryRow;
  /** The payer sends money to another person (KYC: only REGISTERED accounts may). */
  toOthers?: boolean;
  /** Runs first, inside the transaction: the place for checks that need locks (refund totals). */
  guard?: (reader: LedgerGuardReader) => Promise<void>;
  screen?: Screen;
}

/**
 * The fraud rules' hook (src/application/risk/risk-screen.ts): runs after the customers' accounts
 * are locked and before the legs are decided, so it counts the payer's movements under the payer's
 * row lock. It may throw (a block) or return other legs (a hold: the payer's debit into RISK_HOLD);
 * those may only touch customers the movement locked already.
 */
export type Screen = ((tx: UnitTransaction, legs: readonly Leg[]) => Promise<Leg[] | undefined>) & {
  /**
   * Asked by a batch (group commit) before it takes its locks, once per transaction for all its
   * screened movements: the screen reads what they share (the rules) in that transaction and says
   * whether it may act at all and which accounts it may add to a movement (a hold adds RISK_HOLD),
   * so the batch locks those with the others in its fixed order. Inactive, the screen reads and
   * changes nothing. Without it a batch treats the screen as active and adding nothing.
   */
  prepare?: (tx: UnitTransaction) => Promise<ScreenScope>;
};

/** What a screen may do in a transaction (Screen.prepare). */
export interface ScreenScope {
  active: boolean;
  adds: AccountRef[];
}

/** One side of a multi-leg movement: a signed change in minor units (the legs sum to zero). */
export interface Leg {
  account: AccountRef;
  delta: bigint;
  rule: AccountRule;
  row?: HistoryRow;
  /** The lowest balance the leg may leave, in minor units (default 0). */
  floor?: bigint;
  /** A debit sending money to another person (KYC: only REGISTERED accounts may). */
  toOthers?: boolean;
  /** Whether a freeze of the account refuses this leg (default: its rule is 'active'; see wallet/freeze.ts). */
  freezable?: boolean;
}

/**
 * A movement of any number of legs (a payment with its fee: payer, merchant, FEE_REVENUE). `plan`
 * runs inside the transaction, after the locks it takes (refund totals), and returns the legs.
 */
export interface Posting {
  plan: (reader: LedgerGuardReader) => Promise<Leg[]>;
  /** The journal's transaction_id for sides without a history row (default: the first row's id). */
  reference?: string;
  screen?: Screen;
}

export interface PostingResult {
  movementId: string;
  /** The history row each leg wrote (null for merchant and system sides), in the order of the legs. */
  rows: (LedgerTransaction | null)[];
}

export interface MovementResult {
  movementId: string;
  fromRow: LedgerTransaction | null;
  toRow: LedgerTransaction | null;
}

export interface SettleResult {
  /** True when this call made the transition; false when the transaction was already final. */
  applied: boolean;
  transaction: LedgerTransaction;
  /** The REFUND row that released the money of a failed top-up. */
  release: LedgerTransaction | null;
}

/**
 * The ledger: every change of balance is one database transaction that locks the accounts it
 * touches in a fixed order, refuses to go below zero, writes the history rows, the double-entry
 * journal and the outbox events, and commits.
 */
export interface LedgerRepository {
  /** `unit`: what commits with the movement and only with it (the idempotency record, other repositories' writes). */
  move(movement: Movement, unit?: UnitOfWork<MovementResult>): Promise<MovementResult>;
  /** The general form of move: any number of legs, decided by the domain's planPosting. */
  post(posting: Posting, unit?: UnitOfWork<PostingResult>): Promise<PostingResult>;
  /**
   * Moves a PENDING top-up to SUCCESS or FAILED exactly once (a conditional status update); a
   * failure also releases the money back to the account with a linked REFUND row, in the same
   * transaction. A transaction that is already final is returned unchanged with applied=false.
   */
  settleTopUp(
    transactionId: string,
    outcome: 'SUCCESS' | 'FAILED',
    details: { externalReference?: string | null; reason?: string },
    /** Joins the settlement only when this call makes the transition (applied). */
    unit?: UnitOfWork<SettleResult>,
  ): Promise<SettleResult>;
  /**
   * Decides a movement held by the fraud rules exactly once (a conditional update of its PENDING
   * row): SUCCESS posts `onward` (RISK_HOLD → where the money was going), FAILED returns the money
   * from RISK_HOLD to the payer with a linked REFUND row. Already final: applied=false, unchanged.
   */
  settleHeld(
    transactionId: string,
    decision: { outcome: 'SUCCESS'; onward: Leg[] } | { outcome: 'FAILED'; reason: string },
    /** Joins the decision only when this call makes the transition (applied). */
    unit?: UnitOfWork<SettleResult>,
  ): Promise<SettleResult>;
  findByTransactionId(transactionId: string): Promise<LedgerTransaction | null>;
  /** PENDING top-ups created before `olderThan`, oldest first. */
  pendingTopUps(olderThan: Date, limit: number): Promise<LedgerTransaction[]>;
  /** The history of one account, newest first (for the wallet's own checks and tests). */
  history(accountId: string, limit: number): Promise<LedgerTransaction[]>;
  systemBalance(code: SystemAccountCode): Promise<Money>;
  /** A customer's incoming this calendar month (Asia/Jakarta) and money in flight, as the limits count them. */
  limitState(accountId: string): Promise<LimitState>;
}
