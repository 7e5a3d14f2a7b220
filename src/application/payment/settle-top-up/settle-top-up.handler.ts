import type { Logger } from '../../ports/logger.ts';
import type { TopUpInquiry } from '../../../domain/ewallet/ewallet-provider.ts';
import type { LedgerRepository, SettleResult } from '../../../domain/ledger/ledger.repository.ts';
import type { LedgerTransaction } from '../../../domain/ledger/transaction.ts';
import type { DiscrepancySource, ProviderDiscrepancyRepository } from '../../../domain/ledger/provider-discrepancy.ts';
import { LedgerErrors } from '../../../domain/ledger/ledger.errors.ts';
import { providerFor, type EWalletProviders } from '../shared/ewallet-providers.ts';

export type SettleOutcome =
  | { kind: 'settled'; result: SettleResult }
  /** The provider says PENDING, or has no record yet while its acceptance window may be open: unknown, nothing released. */
  | { kind: 'still_pending'; transaction: LedgerTransaction; answer: TopUpInquiry['status'] }
  | { kind: 'already_final'; transaction: LedgerTransaction };

export interface SettleOptions {
  /**
   * True only when the caller knows the provider's acceptance window for this top-up is over
   * (the reconciler, from the database's clock: top-up-finality.ts). Otherwise NOT_FOUND is unknown.
   */
  notFoundIsFinal?: boolean;
  /** What a notification claims (a hint): a SUCCESS claim about a top-up we failed is checked with the provider. */
  claimed?: 'SUCCESS' | 'PENDING' | 'FAILED';
  via?: DiscrepancySource;
}

/**
 * Settles a PENDING top-up from what the provider says now (its top-up status), never from what
 * a notification claims: used by the webhooks and the reconciler. Whichever comes first settles;
 * the ledger's conditional transition makes every later attempt a no-op. An unknown answer
 * (PENDING, NOT_FOUND inside the acceptance window) never releases money. A definite SUCCESS
 * about a top-up we already recorded FAILED opens a provider discrepancy case (never ignored).
 */
export class SettleTopUpHandler {
  private readonly ledger: LedgerRepository;
  private readonly providers: EWalletProviders;
  private readonly discrepancies: ProviderDiscrepancyRepository;
  private readonly logger: Logger | undefined;

  constructor(ledger: LedgerRepository, providers: EWalletProviders, discrepancies: ProviderDiscrepancyRepository, logger?: Logger) {
    this.ledger = ledger;
    this.providers = providers;
    this.discrepancies = discrepancies;
    this.logger = logger;
  }

  async execute(transactionId: string, opts: SettleOptions = {}): Promise<SettleOutcome> {
    const t = await this.ledger.findByTransactionId(transactionId);
    if (!t || t.type !== 'TOPUP') throw LedgerErrors.transactionNotFound();
    if (t.status === 'FAILED' && opts.claimed === 'SUCCESS') {
      // The notification is only a hint: the provider's own status decides whether money now exists twice.
      const answer = await providerFor(this.providers, t.paymentMethod ?? '').topUpStatus(t.transactionId);
      if (answer.status === 'SUCCESS') await this.lateSuccess(t.transactionId, answer.providerReference, opts.via ?? 'webhook');
      return { kind: 'already_final', transaction: t };
    }
    if (t.status !== 'PENDING') return { kind: 'already_final', transaction: t };
    const answer = await providerFor(this.providers, t.paymentMethod ?? '').topUpStatus(t.transactionId);
    if (answer.status === 'PENDING' || (answer.status === 'NOT_FOUND' && !opts.notFoundIsFinal))
      return { kind: 'still_pending', transaction: t, answer: answer.status };
    const outcome = answer.status === 'NOT_FOUND' ? 'FAILED' : answer.status;
    const reason = answer.status === 'NOT_FOUND' ? 'NOT_FOUND' : answer.reason;
    const result = await this.ledger.settleTopUp(t.transactionId, outcome, { externalReference: answer.providerReference, reason });
    if (result.applied) this.logger?.info({ transaction_id: t.transactionId, status: outcome, reason }, 'top-up settled');
    else if (outcome === 'SUCCESS' && result.transaction.status === 'FAILED')
      await this.lateSuccess(t.transactionId, answer.providerReference, opts.via ?? 'inquiry');
    return { kind: 'settled', result };
  }

  /**
   * The provider credited the e-wallet of a top-up we recorded FAILED and released: recorded once
   * as a case for operators (`discrepancies settle`), logged at error level; the open cases are the
   * metric payment_provider_discrepancies_open and the alert ProviderDiscrepancyOpen.
   */
  async lateSuccess(transactionId: string, providerReference: string | null, via: DiscrepancySource): Promise<void> {
    const { opened, discrepancy } = await this.discrepancies.recordSuccessAfterFailed({ transactionId, providerReference, detectedVia: via });
    if (opened) {
      this.logger?.error(
        {
          transaction_id: transactionId,
          discrepancy_id: discrepancy.id,
          amount: discrepancy.amount.toString(),
          payment_method: discrepancy.paymentMethod,
          via,
        },
        'provider confirmed SUCCESS for a top-up we recorded FAILED and released: discrepancy case opened',
      );
    }
  }
}
