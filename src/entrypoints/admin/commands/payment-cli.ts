import { UsageError, requireFlag, type AdminContext } from '../cli.ts';
import { Money } from '../../../domain/shared/money.ts';
import type { DomainError } from '../../../domain/shared/domain-error.ts';
import type { Account } from '../../../domain/wallet/account.ts';
import type { LedgerTransaction } from '../../../domain/ledger/transaction.ts';
import { WalletErrors } from '../../../domain/wallet/wallet.errors.ts';
import type { PostgresAccountRepository } from '../../../adapters/persistence/payment/postgres-account.repository.ts';
import { PAYMENT } from '../../payment/payment.bindings.ts';
import { accountDto, transactionDto } from '../../../adapters/http/payment/payment.dto.ts';

/**
 * What the accounts, refunds and merchants commands share: the payment context's ledger,
 * accounts and merchants over the CLI's connection (the ledger's commits invalidate the balance
 * cache when Redis is configured).
 */
export function paymentCli(ctx: AdminContext) {
  return { accounts: ctx.container.get(PAYMENT.Accounts), ledger: ctx.container.get(PAYMENT.Ledger), merchants: ctx.container.get(PAYMENT.Merchants) };
}

/** --account takes an account id, a username or a phone number. */
export async function accountFlag(ctx: AdminContext, accounts: PostgresAccountRepository): Promise<Account> {
  const ref = requireFlag(ctx.flags, 'account');
  const a = await accounts.findRecipient(ref);
  if (!a) throw WalletErrors.accountNotFound();
  return a;
}

export function amountFlag(ctx: AdminContext, name = 'amount', required = true): Money | undefined {
  const v = ctx.flags[name];
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string') throw new UsageError(`--${name} is required (e.g. --${name} 100000.00)`);
  let m: Money;
  try {
    m = Money.parse(v);
  } catch (err) {
    throw new UsageError(`--${name}: ${(err as DomainError).message}`);
  }
  if (m.isZero()) throw new UsageError(`--${name} must be greater than zero`);
  return m;
}

export const operatorOf = (ctx: AdminContext): string => `cli:${typeof ctx.flags.operator === 'string' ? ctx.flags.operator : 'operator'}`;

export const accountJson = accountDto;
export const transactionJson = (t: LedgerTransaction) => transactionDto(t);
