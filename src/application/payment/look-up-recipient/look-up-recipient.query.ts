import type { KeyValueStore } from '../../ports/key-value-store.ts';
import type { AccountRepository } from '../../../domain/wallet/account.repository.ts';
import { maskRecipient, type MaskedRecipient } from '../../../domain/wallet/recipient.ts';
import { WalletErrors } from '../../../domain/wallet/wallet.errors.ts';

/**
 * "Who would this transfer pay?" before paying: the masked identity of the account the identifier
 * resolves to, exactly as a transfer would resolve it. Each answer tells whether a phone number or
 * username has an account, so lookups are counted per user and hour (the gateway also limits them
 * per client IP): a bounded number of guesses, not an enumeration.
 */
export class LookUpRecipientQuery {
  private readonly accounts: AccountRepository;
  private readonly limit: { kv: KeyValueStore; perHour: number };

  constructor(deps: { accounts: AccountRepository; limit: { kv: KeyValueStore; perHour: number } }) {
    this.accounts = deps.accounts;
    this.limit = deps.limit;
  }

  async execute(userId: number, identifier: string): Promise<MaskedRecipient> {
    await this.admit(userId);
    const sender = await this.accounts.findByUserId(userId);
    if (!sender) throw WalletErrors.accountNotFound();
    const recipient = await this.accounts.findRecipient(identifier);
    if (!recipient) throw WalletErrors.recipientNotFound();
    if (recipient.id === sender.id) throw WalletErrors.selfTransfer();
    return maskRecipient(recipient);
  }

  private async admit(userId: number): Promise<void> {
    const { value, ttlSeconds } = await this.limit.kv.increment(`payment:recipient-lookups:${userId}`, 3600);
    if (value > this.limit.perHour) {
      throw WalletErrors.tooManyRecipientLookups('too many recipient lookups; try again later', { retryAfterSeconds: Math.max(1, ttlSeconds) });
    }
  }
}
