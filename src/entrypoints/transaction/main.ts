import { runMain } from '../shared/platform.ts';
import { transactionModule } from './transaction.module.ts';

await runMain({ service: 'transaction-service', modules: [transactionModule] });
