import type { Logger } from 'pino';
import type { LedgerRepository, SettleResult } from '../../../domain/ledger/ledger.repository.ts';
import type { LedgerTransaction } from '../../../domain/ledger/transaction.ts';
import { LedgerErrors } from '../../../domain/ledger/ledger.errors.ts';
import { providerFor, type EWalletProviders } from '../shared/ewallet-providers.ts';

export type SettleOutcome =
  | { kind: 'settled'; result: SettleResult }
  | { kind: 'still_pending'; transaction: LedgerTransaction }
  | { kind: 'already_final'; transaction: LedgerTransaction };

/**
 * Settles a PENDING top-up from what the provider says now (its top-up status), never from what
 * a notification claims: used by the webhooks and the reconciler. Whichever comes first settles;
 * the ledger's conditional transition makes every later attempt a no-op.
 */
export class SettleTopUpHandler {
  private readonly ledger: LedgerRepository;
  private readonly providers: EWalletProviders;
  private readonly logger: Logger | undefined;

  constructor(ledger: LedgerRepository, providers: EWalletProviders, logger?: Logger) {
    this.ledger = ledger;
    this.providers = providers;
    this.logger = logger;
  }

  async execute(transactionId: string): Promise<SettleOutcome> {
    const t = await this.ledger.findByTransactionId(transactionId);
    if (!t || t.type !== 'TOPUP') throw LedgerErrors.transactionNotFound();
    if (t.status !== 'PENDING') return { kind: 'already_final', transaction: t };
    const status = await providerFor(this.providers, t.paymentMethod ?? '').topUpStatus(t.transactionId);
    if (status.status === 'PENDING') return { kind: 'still_pending', transaction: t };
    const result = await this.ledger.settleTopUp(t.transactionId, status.status, { externalReference: status.providerReference, reason: status.reason });
    if (result.applied) this.logger?.info({ transaction_id: t.transactionId, status: status.status }, 'top-up settled');
    return { kind: 'settled', result };
  }
}
