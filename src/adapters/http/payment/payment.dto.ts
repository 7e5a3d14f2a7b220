import type { Account } from '../../../domain/wallet/account.ts';
import type { LedgerTransaction } from '../../../domain/ledger/transaction.ts';
import type { MaskedRecipient } from '../../../domain/wallet/recipient.ts';
import { Money } from '../../../domain/shared/money.ts';
import type { LimitsView } from '../../../application/payment/get-account/get-account.query.ts';

/** The tier's limits and what remains: `{ max_balance, monthly_incoming, transfers_to_others, remaining: { balance, monthly_incoming } }`. */
export function limitsDto(v: LimitsView): Record<string, unknown> {
  const rp = (minor: bigint) => Money.ofMinor(minor).toString();
  return {
    max_balance: rp(v.limits.maxBalance),
    monthly_incoming: rp(v.limits.monthlyIncoming),
    transfers_to_others: v.limits.transfersToOthers,
    remaining: { balance: rp(v.remaining.balance), monthly_incoming: rp(v.remaining.monthlyIncoming) },
  };
}

/** The API's snake_case shapes; amounts as "10000.00". */
export function transactionDto(t: LedgerTransaction): Record<string, unknown> {
  return {
    id: t.id,
    transaction_id: t.transactionId,
    transaction_type: t.type,
    transaction_status: t.status,
    amount: t.amount.toString(),
    balance_before: t.balanceBefore.toString(),
    balance_after: t.balanceAfter.toString(),
    currency: t.currency,
    payment_method: t.paymentMethod,
    description: t.description,
    external_reference: t.externalReference,
    related_transaction_id: t.relatedTransactionId,
    metadata: t.metadata,
    ...feeSplitOf(t),
    created_at: t.createdAt.toISOString(),
    updated_at: t.updatedAt.toISOString(),
  };
}

/** A merchant payment's split, from the row's metadata: what the payer paid, the MDR, what the merchant got. */
function feeSplitOf(t: LedgerTransaction): Record<string, unknown> {
  const m = t.metadata;
  if (t.type !== 'PAYMENT' || !m || typeof m.fee !== 'string' || typeof m.net !== 'string') return {};
  return { merchant_id: m.merchant_id, merchant_name: m.merchant_name, gross_amount: t.amount.toString(), fee_amount: m.fee, net_amount: m.net };
}

export function accountDto(a: Account): Record<string, unknown> {
  return {
    id: a.id,
    user_id: a.userId,
    balance: a.balance.toString(),
    currency: a.currency,
    account_status: a.status,
    kyc_tier: a.kycTier ?? 'UNREGISTERED',
    created_at: a.createdAt.toISOString(),
    updated_at: a.updatedAt.toISOString(),
  };
}

/** Whom a transfer pays, masked (username and phone): `{ account_id, username, phone }`. */
export function recipientDto(r: MaskedRecipient): Record<string, unknown> {
  return { account_id: r.accountId, username: r.username, phone: r.phone };
}
