import { startTracingFromConfig } from '../shared/start-tracing.ts';

// Tracing starts first: it patches pg, ioredis, kafkajs and koa as they load, so everything else
// is imported after it (a no-op unless OTEL_EXPORTER_OTLP_ENDPOINT is set).
const tracing = await startTracingFromConfig('all-in-one');
const { runMain } = await import('../shared/platform.ts');
const { allModules } = await import('./modules.ts');
const { ensureDemoUser } = await import('../auth/auth.module.ts');
const { ensureDemoRegulatorKeys } = await import('../transaction/transaction.module.ts');
const { ensureDemoMerchantLines } = await import('../payment/payment.module.ts');
const { EWALLET } = await import('../composition/ewallet.module.ts');
const { describeSandboxes } = await import('../../adapters/ewallet/index.ts');

// Development and the embedded default: every module in one process on one port.
await runMain({ service: 'all-in-one', modules: allModules, onStopped: tracing.shutdown }, async (p) => {
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
  lines.push(...(await ensureDemoMerchantLines(p.container)));
  lines.push(...(await ensureDemoRegulatorKeys(p.container)));
  const sandboxes = p.container.get(EWALLET.State).sandboxes;
  if (sandboxes) lines.push(...describeSandboxes(sandboxes));
  console.log(lines.join('\n'));
});
