import type { CreatePaymentHandler } from '../../../application/payment/create-payment/create-payment.handler.ts';
import type { CreateTransferHandler } from '../../../application/payment/create-transfer/create-transfer.handler.ts';
import type { LookUpRecipientQuery } from '../../../application/payment/look-up-recipient/look-up-recipient.query.ts';
import type { TopUpHandler } from '../../../application/payment/top-up/top-up.handler.ts';
import type { RefundPaymentHandler } from '../../../application/payment/refund-payment/refund-payment.handler.ts';
import type { HandleWebhookHandler } from '../../../application/payment/handle-webhook/handle-webhook.handler.ts';
import type { GetAccountQuery } from '../../../application/payment/get-account/get-account.query.ts';
import type { GetAccountLimitsQuery } from '../../../application/payment/get-account/get-account-limits.query.ts';
import type { GetBalanceQuery } from '../../../application/payment/get-balance/get-balance.query.ts';
import type { GetWalletBalanceQuery } from '../../../application/payment/get-wallet-balance/get-wallet-balance.query.ts';
import type { GetMerchantProfileQuery } from '../../../application/merchant/get-merchant-profile.query.ts';
import type { GetTransactionQuery } from '../../../application/payment/get-transaction/get-transaction.query.ts';

/** The use cases the payment routes call. */
export interface PaymentHandlers {
  topUp: TopUpHandler;
  createPayment: CreatePaymentHandler;
  createTransfer: CreateTransferHandler;
  lookUpRecipient: LookUpRecipientQuery;
  refundPayment: RefundPaymentHandler;
  handleWebhook: HandleWebhookHandler;
  getAccount: GetAccountQuery;
  getAccountLimits: GetAccountLimitsQuery;
  getBalance: GetBalanceQuery;
  getWalletBalance: GetWalletBalanceQuery;
  getTransaction: GetTransactionQuery;
  getMerchantProfile: GetMerchantProfileQuery;
}
