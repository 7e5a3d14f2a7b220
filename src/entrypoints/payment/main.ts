import { runMain } from '../shared/platform.ts';
import { paymentModule } from './payment.module.ts';

await runMain({ service: 'payment-service', modules: [paymentModule] });
