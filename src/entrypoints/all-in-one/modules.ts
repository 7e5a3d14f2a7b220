import { authModule } from '../auth/auth.module.ts';
import { paymentModule } from '../payment/payment.module.ts';
import { transactionModule } from '../transaction/transaction.module.ts';
import type { ServiceModule } from '../shared/service-module.ts';

export const allModules: ServiceModule[] = [authModule, paymentModule, transactionModule];
