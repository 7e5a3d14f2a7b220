import type { Opt } from '@mikro-orm/core';
import type { Money } from '../../domain/shared/money.ts';
import { PERMISSIONS } from '../../domain/regulator/permissions.ts';

/**
 * Row shapes of the tables, as the EntitySchema mappings see them. Repositories translate
 * between these and the domain's objects, so the domain carries no ORM metadata.
 * `Opt` marks columns the database or the mapping fills in.
 */
export const ACCOUNT_STATUSES = ['ACTIVE', 'SUSPENDED', 'CLOSED'] as const;
export const TRANSACTION_TYPES = ['TOPUP', 'PAYMENT', 'REFUND', 'TRANSFER'] as const;
export const TRANSACTION_STATUSES = ['PENDING', 'SUCCESS', 'FAILED', 'CANCELLED'] as const;
export const PAYMENT_METHODS = ['GOPAY', 'SHOPEE_PAY'] as const;
export const RATE_LIMIT_UNITS = ['second', 'minute', 'hour', 'day'] as const;
export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'] as const;
/** The api_permission enum: the domain's list (a migration adds each new value to the type). */
export const API_PERMISSIONS = PERMISSIONS;
export const USER_ROLES = ['USER', 'ADMIN'] as const;

export interface UserRecord {
  id: number;
  username: string;
  email: string;
  phone: string;
  password: string;
  role: (typeof USER_ROLES)[number];
  createdAt: Opt<Date>;
  updatedAt: Opt<Date>;
}

export interface AuthenticationRecord {
  token: string;
  userId: number;
  createdAt: Opt<Date>;
}

export interface AccountRecord {
  id: string;
  /** Null for the bank's system accounts (see the payment-ledger migration). */
  userId: number | null;
  /** FUNDING, GOPAY_SETTLEMENT, SHOPEE_PAY_SETTLEMENT, MERCHANT_SETTLEMENT; null for customers. */
  systemCode: Opt<string | null>;
  balance: Money;
  currency: string;
  accountStatus: (typeof ACCOUNT_STATUSES)[number];
  createdAt: Opt<Date>;
  updatedAt: Opt<Date>;
}

export interface HistoricalTransactionRecord {
  id: string;
  userId: number;
  accountId: string;
  transactionId: string;
  transactionType: (typeof TRANSACTION_TYPES)[number];
  transactionStatus: (typeof TRANSACTION_STATUSES)[number];
  amount: Money;
  balanceBefore: Money;
  balanceAfter: Money;
  currency: string;
  description: string | null;
  externalReference: string | null;
  paymentMethod: (typeof PAYMENT_METHODS)[number] | null;
  metadata: string | null;
  isAccessibleExternal: boolean;
  createdAt: Opt<Date>;
  updatedAt: Opt<Date>;
}

export interface ExternalServiceRecord {
  id: string;
  company: string;
  serviceType: string;
  contactEmail: string;
  description: string | null;
  isActive: boolean;
  createdAt: Opt<Date>;
  updatedAt: Opt<Date>;
}

export interface ApiKeyRecord {
  id: string;
  externalServiceId: string;
  keyName: string;
  permissions: (typeof API_PERMISSIONS)[number][];
  rateLimitCount: number | null;
  rateLimitUnit: (typeof RATE_LIMIT_UNITS)[number];
  expiresAt: Date | null;
  isActive: boolean;
  createdAt: Opt<Date>;
  updatedAt: Opt<Date>;
}

export interface ApiAccessLogRecord {
  id: string;
  externalServiceId: string;
  apiKeyId: string;
  endpoint: string | null;
  httpMethod: (typeof HTTP_METHODS)[number] | null;
  ipAddress: string | null;
  userAgent: string | null;
  responseStatus: number | null;
  durationMs: number | null;
  createdAt: Opt<Date>;
}

export interface OutboxEventRecord {
  id: string;
  topic: string;
  eventKey: string;
  eventType: string;
  payload: Record<string, unknown>;
  headers: Record<string, string>;
  createdAt: Opt<Date>;
  publishedAt: Date | null;
  attempts: number;
}
