import type { Account } from '../../../domain/wallet/account.ts';
import type { AccountRepository } from '../../../domain/wallet/account.repository.ts';
import { parseFreeze } from '../../../domain/wallet/freeze.ts';
import { WalletErrors } from '../../../domain/wallet/wallet.errors.ts';

/**
 * An operator freezes a customer account at a level (DEBIT, CREDIT, ALL) with a reason (lifting
 * it: UnfreezeAccountHandler). Freezing again replaces the level and reason (the audit keeps
 * both). A CLOSED account moves nothing any more, so it is not frozen; a SUSPENDED one may be, so
 * that the freeze still holds once it is reactivated.
 */
export class FreezeAccountHandler {
  private readonly accounts: AccountRepository;

  constructor(accounts: AccountRepository) {
    this.accounts = accounts;
  }

  async execute(input: { accountId: string; level: string; reason: string; operator: string }, now = new Date()): Promise<{ before: Account; after: Account }> {
    const { level, reason } = parseFreeze(input);
    return this.accounts.setFreeze(input.accountId, { level, reason, frozenAt: now, frozenBy: input.operator }, (locked) => {
      if (locked.systemCode || locked.userId === null) throw WalletErrors.systemAccount();
      if (locked.status === 'CLOSED') throw WalletErrors.accountNotActive(locked.status);
    });
  }
}
