import { UsageError, requireFlag, type AdminContext } from '../cli.ts';
import { Money } from '../../../domain/shared/money.ts';
import type { DomainError } from '../../../domain/shared/domain-error.ts';
import type { Account } from '../../../domain/wallet/account.ts';
import type { LedgerTransaction } from '../../../domain/ledger/transaction.ts';
import { WalletErrors } from '../../../domain/wallet/wallet.errors.ts';
import { PostgresLedgerRepository } from '../../../adapters/persistence/payment/postgres-ledger.repository.ts';
import { PostgresAccountRepository } from '../../../adapters/persistence/payment/postgres-account.repository.ts';
import { PostgresRefusalLog } from '../../../adapters/persistence/payment/postgres-refusal-log.ts';
import { PostgresMerchantRepository } from '../../../adapters/persistence/merchant/postgres-merchant.repository.ts';
import { createRedis } from '../../../adapters/redis/redis-client.ts';
import { RedisKeyValueStore } from '../../../adapters/redis/redis-key-value-store.ts';
import { BalanceCache } from '../../../application/payment/shared/balance-cache.ts';
import { kycLimitsOf } from '../../payment/kyc-limits.ts';
import { accountDto, transactionDto } from '../../../adapters/http/payment/payment.dto.ts';

/**
 * What the accounts, refunds and merchants commands share: the ledger over the CLI's database connection, and
 * the balance cache's invalidation when Redis is configured (on the embedded default the server's
 * in-memory cache expires on its own within a minute).
 */
export function paymentCli(ctx: AdminContext) {
  const accounts = new PostgresAccountRepository(ctx.orm);
  const ledger = new PostgresLedgerRepository(ctx.orm, {
    topic: ctx.config.KAFKA_TOPIC_TRANSACTIONS,
    limits: kycLimitsOf(ctx.config),
    refusals: new PostgresRefusalLog(ctx.orm),
    onCommitted: async (userIds) => {
      if (!ctx.config.REDIS_URL) return;
      const redis = createRedis(ctx.config.REDIS_URL);
      try {
        await redis.connect();
        await new BalanceCache(new RedisKeyValueStore(redis)).invalidate(userIds);
      } finally {
        redis.disconnect();
      }
    },
  });
  return { accounts, ledger, merchants: new PostgresMerchantRepository(ctx.orm) };
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
