import type { EWalletMethod } from '../../../domain/ewallet/ewallet-provider.ts';
import type { LedgerRepository } from '../../../domain/ledger/ledger.repository.ts';
import type { TransactionStatus } from '../../../domain/ledger/transaction.ts';
import type { EWalletWebhookVerifiers } from '../shared/ewallet-providers.ts';
import type { SettleTopUpHandler } from '../settle-top-up/settle-top-up.handler.ts';

export interface WebhookAck {
  reference: string;
  /** True when this notification settled the top-up; false for duplicates, replays and unknown references. */
  applied: boolean;
  status: TransactionStatus | 'UNKNOWN';
}

/**
 * A provider's notification about a top-up. The signature and timestamp are verified over the raw
 * body; then the provider is asked for the status itself (the notification is only a hint), and
 * the ledger's conditional transition applies it exactly once. Duplicates, replays and references
 * that are not ours are acknowledged and change nothing, so the provider stops retrying. A late
 * SUCCESS about a top-up we recorded FAILED is acknowledged too, after opening a discrepancy case.
 */
export class HandleWebhookHandler {
  private readonly verifiers: EWalletWebhookVerifiers;
  private readonly ledger: LedgerRepository;
  private readonly settle: SettleTopUpHandler;

  constructor(verifiers: EWalletWebhookVerifiers, ledger: LedgerRepository, settle: SettleTopUpHandler) {
    this.verifiers = verifiers;
    this.ledger = ledger;
    this.settle = settle;
  }

  async execute(method: EWalletMethod, rawBody: Buffer, headers: Record<string, string | string[] | undefined>): Promise<WebhookAck> {
    const notification = this.verifiers[method].verify(rawBody, headers);
    const t = await this.ledger.findByTransactionId(notification.reference);
    if (!t || t.type !== 'TOPUP' || t.paymentMethod !== method) return { reference: notification.reference, applied: false, status: 'UNKNOWN' };
    const outcome = await this.settle.execute(t.transactionId, { claimed: notification.status, via: 'webhook' });
    if (outcome.kind === 'settled') return { reference: t.transactionId, applied: outcome.result.applied, status: outcome.result.transaction.status };
    return { reference: t.transactionId, applied: false, status: outcome.transaction.status };
  }
}
