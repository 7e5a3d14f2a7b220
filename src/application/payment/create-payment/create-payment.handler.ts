import type { Money } from '../../../domain/shared/money.ts';
import { newTransactionId } from '../../../domain/shared/ids.ts';
import type { AccountRepository } from '../../../domain/wallet/account.repository.ts';
import { assertAccountRule } from '../../../domain/wallet/account.ts';
import { WalletErrors } from '../../../domain/wallet/wallet.errors.ts';
import type { InTransaction, LedgerRepository } from '../../../domain/ledger/ledger.repository.ts';
import type { LedgerTransaction } from '../../../domain/ledger/transaction.ts';
import { assertPositive } from '../shared/amounts.ts';

export interface CreatePaymentCommand {
  userId: number;
  amount: Money;
  merchantId: string;
  description?: string | null;
}

/** Pays a merchant: the customer's account → the merchant settlement account, one SUCCESS PAYMENT row. */
export class CreatePaymentHandler {
  private readonly accounts: AccountRepository;
  private readonly ledger: LedgerRepository;

  constructor(accounts: AccountRepository, ledger: LedgerRepository) {
    this.accounts = accounts;
    this.ledger = ledger;
  }

  async execute(cmd: CreatePaymentCommand, inTransaction?: InTransaction<LedgerTransaction>): Promise<LedgerTransaction> {
    assertPositive(cmd.amount);
    const account = await this.accounts.findByUserId(cmd.userId);
    if (!account) throw WalletErrors.accountNotFound();
    assertAccountRule(account, 'active', 'payer');
    const r = await this.ledger.move(
      {
        amount: cmd.amount,
        from: { accountId: account.id },
        to: { system: 'MERCHANT_SETTLEMENT' },
        fromRule: 'active',
        toRule: 'any',
        fromRow: {
          transactionId: newTransactionId('PAY'),
          type: 'PAYMENT',
          status: 'SUCCESS',
          description: cmd.description ?? null,
          metadata: { merchant_id: cmd.merchantId },
        },
      },
      inTransaction && ((tx, res) => inTransaction(tx, res.fromRow!)),
    );
    return r.fromRow!;
  }
}
