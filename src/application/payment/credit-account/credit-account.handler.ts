import type { Money } from '../../../domain/shared/money.ts';
import { newTransactionId } from '../../../domain/shared/ids.ts';
import type { AccountRepository } from '../../../domain/wallet/account.repository.ts';
import { assertAccountRule } from '../../../domain/wallet/account.ts';
import { WalletErrors } from '../../../domain/wallet/wallet.errors.ts';
import type { LedgerRepository } from '../../../domain/ledger/ledger.repository.ts';
import type { LedgerTransaction } from '../../../domain/ledger/transaction.ts';
import { assertPositive } from '../shared/amounts.ts';

export interface CreditAccountCommand {
  accountId: string;
  amount: Money;
  description?: string | null;
  /** Who did it (operator name or admin user), kept in the metadata. */
  operator: string;
}

/**
 * An operator credit (operations, demos): the bank's FUNDING account → a customer's ACTIVE
 * account. Recorded as an incoming TRANSFER from the bank, so the ledger still balances.
 */
export class CreditAccountHandler {
  private readonly accounts: AccountRepository;
  private readonly ledger: LedgerRepository;

  constructor(accounts: AccountRepository, ledger: LedgerRepository) {
    this.accounts = accounts;
    this.ledger = ledger;
  }

  async execute(cmd: CreditAccountCommand): Promise<LedgerTransaction> {
    assertPositive(cmd.amount);
    const account = await this.accounts.findById(cmd.accountId);
    if (!account || account.systemCode) throw WalletErrors.accountNotFound();
    assertAccountRule(account, 'active', 'payer'); // a suspended or closed account takes no operator credit
    const r = await this.ledger.move({
      amount: cmd.amount,
      from: { system: 'FUNDING' },
      to: { accountId: account.id },
      fromRule: 'any',
      toRule: 'active',
      toRow: {
        transactionId: newTransactionId('CRD'),
        type: 'TRANSFER',
        status: 'SUCCESS',
        description: cmd.description ?? 'operator credit',
        metadata: { direction: 'IN', source: 'FUNDING', operator: cmd.operator },
      },
    });
    return r.toRow!;
  }
}
