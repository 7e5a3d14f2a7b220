import { runMain } from '../shared/platform.ts';
import { allModules } from './modules.ts';
import { ensureDemoUser } from '../auth/auth.module.ts';

// Development and the embedded default: every module in one process on one port.
await runMain({ service: 'all-in-one', modules: allModules }, async (p) => {
  const c = p.infra.config;
  const lines = [
    '',
    `One Gate Payment is running on ${p.url}${c.embedded ? ' (embedded default: embedded PostgreSQL under ' + c.EMBEDDED_DATA_DIR + ', in-memory Redis, in-process events)' : ''}`,
    `  health  ${p.url}/healthz    readiness ${p.url}/readyz`,
    `  API docs ${p.url}/docs      OpenAPI   ${p.url}/openapi.json`,
  ];
  // Embedded default only: the demo user, with a fresh password each start.
  const demo = await ensureDemoUser(p.container);
  if (demo) lines.push(`  demo user  ${demo.username} / ${demo.password}   (POST /api/auth/login; new password at every start)`);
  console.log(lines.join('\n'));
});
