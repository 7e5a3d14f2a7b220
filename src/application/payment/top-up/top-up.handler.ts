import type { Logger } from '../../ports/logger.ts';
import type { Money } from '../../../domain/shared/money.ts';
import { DomainError } from '../../../domain/shared/domain-error.ts';
import { newTransactionId } from '../../../domain/shared/ids.ts';
import type { EWalletMethod, TopUpResult } from '../../../domain/ewallet/ewallet-provider.ts';
import type { AccountRepository } from '../../../domain/wallet/account.repository.ts';
import { assertAccountRule, settlementAccountOf } from '../../../domain/wallet/account.ts';
import { WalletErrors } from '../../../domain/wallet/wallet.errors.ts';
import type { LedgerRepository, Screen, SettleResult } from '../../../domain/ledger/ledger.repository.ts';
import { mapUnit, type UnitOfWork } from '../../../domain/shared/unit-of-work.ts';
import { maskPhone, type LedgerTransaction } from '../../../domain/ledger/transaction.ts';
import { assertTopUpLimits } from '../shared/amounts.ts';
import { providerFor, type EWalletProviders } from '../shared/ewallet-providers.ts';
import type { RiskScreen } from '../../risk/risk-screen.ts';
import { EWalletErrors } from '../../../domain/ewallet/ewallet.errors.ts';

export interface TopUpCommand {
  userId: number;
  amount: Money;
  method: EWalletMethod;
  /** The e-wallet to credit, as +628…. */
  phone: string;
  description?: string | null;
}

/** How the top-up ended for this request: the controller maps it to 201, 202, 422 or 502. */
export type LateSuccess = (transactionId: string, providerReference: string | null, via: 'request') => Promise<void>;

export type TopUpOutcome =
  | { kind: 'success'; transaction: LedgerTransaction }
  | { kind: 'pending'; transaction: LedgerTransaction }
  | { kind: 'failed'; transaction: LedgerTransaction; release: LedgerTransaction | null; code: 'TOPUP_DECLINED' | 'TOPUP_FAILED'; message: string };

/**
 * Account → e-wallet. The account is debited and a PENDING TOPUP recorded in one transaction (with
 * the idempotency record); the provider is called after the commit, with our transaction_id as its
 * idempotent reference. A definite answer settles at once (a failure releases the money with a
 * linked REFUND row); an unknown one (timeout) leaves the top-up PENDING for the webhook or the
 * reconciler, which ask the provider again. Never does an unknown outcome release money.
 */
export class TopUpHandler {
  private readonly accounts: AccountRepository;
  private readonly ledger: LedgerRepository;
  private readonly providers: EWalletProviders;
  private readonly maxAmount: Money;
  private readonly sendDeadlineMs: number;
  private readonly lateSuccess: LateSuccess | undefined;
  private readonly logger: Logger | undefined;
  private readonly risk: RiskScreen | undefined;

  constructor(deps: {
    /** The fraud rules (a top-up is only allowed or blocked: risk-rules.ts effectiveOutcome). */
    risk?: RiskScreen;
    accounts: AccountRepository;
    ledger: LedgerRepository;
    providers: EWalletProviders;
    maxAmount: Money;
    /** The send fence: no attempt starts later than this after the debit (top-up-finality.ts sendFenceMs). */
    sendDeadlineMs: number;
    /** Opens the discrepancy case when the provider's answer is SUCCESS but the top-up was failed meanwhile. */
    lateSuccess?: LateSuccess;
    logger?: Logger;
  }) {
    this.accounts = deps.accounts;
    this.ledger = deps.ledger;
    this.providers = deps.providers;
    this.maxAmount = deps.maxAmount;
    this.sendDeadlineMs = deps.sendDeadlineMs;
    this.lateSuccess = deps.lateSuccess;
    this.logger = deps.logger;
    this.risk = deps.risk;
  }

  /**
   * `units.debit` commits with the debit (store the pending response there, so a retry can never
   * debit twice); `units.settle` with the settlement, when this request settles it.
   */
  async execute(cmd: TopUpCommand, units: { debit?: UnitOfWork<LedgerTransaction>; settle?: UnitOfWork<TopUpOutcome> } = {}): Promise<TopUpOutcome> {
    assertTopUpLimits(cmd.amount, this.maxAmount);
    const account = await this.accounts.findByUserId(cmd.userId);
    if (!account) throw WalletErrors.accountNotFound();
    assertAccountRule(account, 'active', 'payer');
    if (!account.balance.gte(cmd.amount)) throw WalletErrors.insufficientFunds();
    const provider = providerFor(this.providers, cmd.method);
    const wallet = await provider.accountInquiry(cmd.phone);
    if (!wallet)
      throw EWalletErrors.ewalletNotFound(`no ${cmd.method} e-wallet for this phone number`, {
        errors: [{ field: 'phone_number', message: 'no e-wallet registered to this number' }],
      });

    const transactionId = newTransactionId('TOP');
    const ownPhone = cmd.phone === (await this.accounts.phoneOf(cmd.userId));
    const subject = { kind: 'TOPUP' as const, payerAccountId: account.id, amount: cmd.amount.minor, counterpartyAccountId: null, ownPhone };
    const move = (screen?: Screen) =>
      this.ledger.move(
        {
          screen,
          amount: cmd.amount,
          from: { accountId: account.id },
          to: { system: settlementAccountOf(cmd.method) },
          fromRule: 'active',
          toRule: 'any',
          // KYC: topping up an e-wallet that is not on the holder's own phone sends money to someone else.
          toOthers: !ownPhone,
          fromRow: {
            transactionId,
            type: 'TOPUP',
            status: 'PENDING',
            description: cmd.description ?? null,
            paymentMethod: cmd.method,
            // Only the masked number: metadata travels to read models and regulators.
            metadata: { ewallet_phone: maskPhone(cmd.phone) },
          },
        },
        mapUnit(units.debit, (r) => r.fromRow!),
      );
    const moved = this.risk ? await this.risk.run(subject, move) : await move();
    const pending = moved.fromRow!;

    let answer: TopUpResult;
    try {
      // The fence counts from the debit's own timestamp (the database's clock, the one the
      // reconciler judges NOT_FOUND by), not from now: a pause here must not stretch it.
      answer = await provider.topUp(
        { reference: transactionId, phone: cmd.phone, amount: cmd.amount },
        { startBy: pending.createdAt.getTime() + this.sendDeadlineMs },
      );
    } catch (err) {
      // Only a refusal before anything was sent (the circuit breaker is open) is a definite
      // failure. A timeout, a reset or a 5xx may have been applied: the top-up stays PENDING and
      // the webhook or the reconciler settles it from the provider's status, once the call is
      // surely over (asking right away could see NOT_FOUND for a request still in flight).
      this.logger?.warn({ err: (err as Error).message, transaction_id: transactionId }, 'top-up call failed');
      answer =
        err instanceof DomainError && err.kind === 'unavailable'
          ? { status: 'FAILED', providerReference: null, reason: 'PROVIDER_UNAVAILABLE' }
          : { status: 'PENDING', providerReference: null };
    }
    if (answer.status === 'PENDING') return { kind: 'pending', transaction: pending };

    const settled = await this.ledger.settleTopUp(
      transactionId,
      answer.status,
      { externalReference: answer.providerReference, reason: answer.reason },
      mapUnit(units.settle, (r) => outcomeOf(r, answer)),
    );
    if (answer.status === 'SUCCESS' && !settled.applied && settled.transaction.status === 'FAILED')
      await this.lateSuccess?.(transactionId, answer.providerReference, 'request');
    return outcomeOf(settled, answer);
  }
}

/** The request's answer from the ledger's state after settling (a webhook may have been first). */
function outcomeOf(settled: SettleResult, answer: TopUpResult): TopUpOutcome {
  const current = settled.transaction;
  if (current.status === 'SUCCESS') return { kind: 'success', transaction: current };
  if (current.status !== 'FAILED') return { kind: 'pending', transaction: current };
  const declined = answer.status === 'FAILED' && answer.reason !== 'NOT_FOUND' && answer.reason !== 'PROVIDER_UNAVAILABLE';
  return {
    kind: 'failed',
    transaction: current,
    release: settled.release,
    code: declined ? 'TOPUP_DECLINED' : 'TOPUP_FAILED',
    message: declined
      ? `the provider declined the top-up${answer.reason ? ` (${answer.reason})` : ''}; the amount was returned to the account`
      : 'the provider could not process the top-up; the amount was returned to the account',
  };
}
