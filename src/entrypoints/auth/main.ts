import { runMain } from '../shared/platform.ts';
import { authModule } from './auth.module.ts';

await runMain({ service: 'auth-service', modules: [authModule] });
