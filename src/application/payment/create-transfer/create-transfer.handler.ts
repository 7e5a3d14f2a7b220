import type { Money } from '../../../domain/shared/money.ts';
import { newTransactionId } from '../../../domain/shared/ids.ts';
import type { AccountRepository } from '../../../domain/wallet/account.repository.ts';
import { assertAccountRule } from '../../../domain/wallet/account.ts';
import { WalletErrors } from '../../../domain/wallet/wallet.errors.ts';
import { maskRecipient, type MaskedRecipient } from '../../../domain/wallet/recipient.ts';
import type { LedgerRepository, Screen } from '../../../domain/ledger/ledger.repository.ts';
import { mapUnit, type UnitOfWork } from '../../../domain/shared/unit-of-work.ts';
import type { LedgerTransaction } from '../../../domain/ledger/transaction.ts';
import { assertPositive } from '../shared/amounts.ts';
import type { RiskScreen } from '../../risk/risk-screen.ts';

export interface CreateTransferCommand {
  userId: number;
  username: string;
  /** Username, phone (8…, 08…, 628…, +628…; a phone-like text is only ever a phone) or account id. */
  recipient: string;
  amount: Money;
  description?: string | null;
}

export interface TransferResult {
  sender: LedgerTransaction;
  /** Null while the fraud rules hold the transfer for review (the sender's row is PENDING, the money in RISK_HOLD). */
  recipient: LedgerTransaction | null;
  /** Who was paid, masked: the sender sees whom the identifier resolved to. */
  payee: MaskedRecipient;
}

/** A transfer between two customers: one TRANSFER row per side, linked to each other. */
export class CreateTransferHandler {
  private readonly accounts: AccountRepository;
  private readonly ledger: LedgerRepository;
  private readonly risk: RiskScreen | undefined;

  constructor(accounts: AccountRepository, ledger: LedgerRepository, risk?: RiskScreen) {
    this.accounts = accounts;
    this.ledger = ledger;
    this.risk = risk;
  }

  async execute(cmd: CreateTransferCommand, unit?: UnitOfWork<TransferResult>): Promise<TransferResult> {
    assertPositive(cmd.amount);
    // Both reads at once: one round trip of waiting instead of two; refused in the same order as before.
    const [sender, recipient] = await Promise.all([this.accounts.findByUserId(cmd.userId), this.accounts.findRecipient(cmd.recipient)]);
    if (!sender) throw WalletErrors.accountNotFound();
    if (!recipient) throw WalletErrors.recipientNotFound();
    if (recipient.id === sender.id) throw WalletErrors.selfTransfer();
    assertAccountRule(sender, 'active', 'payer');
    const payee = maskRecipient(recipient);
    const outId = newTransactionId('TRF');
    const inId = newTransactionId('TRF');
    const subject = { kind: 'TRANSFER' as const, payerAccountId: sender.id, amount: cmd.amount.minor, counterpartyAccountId: recipient.id };
    const move = (screen?: Screen) =>
      this.ledger.move(
        {
          screen,
          amount: cmd.amount,
          from: { accountId: sender.id },
          to: { accountId: recipient.id },
          fromRule: 'active',
          toRule: 'active',
          toOthers: true,
          fromRow: {
            transactionId: outId,
            type: 'TRANSFER',
            status: 'SUCCESS',
            description: cmd.description ?? null,
            relatedTransactionId: inId,
            // The sender's history shows whom they paid as the API showed it: masked.
            metadata: { direction: 'OUT', counterparty_account_id: recipient.id, counterparty_username: payee.username, counterparty_phone: payee.phone },
          },
          toRow: {
            transactionId: inId,
            type: 'TRANSFER',
            status: 'SUCCESS',
            description: cmd.description ?? null,
            relatedTransactionId: outId,
            metadata: { direction: 'IN', counterparty_account_id: sender.id, counterparty_username: cmd.username },
          },
        },
        mapUnit(unit, (res) => ({ sender: res.fromRow!, recipient: res.toRow, payee })),
      );
    const r = this.risk ? await this.risk.run(subject, move) : await move();
    return { sender: r.fromRow!, recipient: r.toRow, payee };
  }
}
