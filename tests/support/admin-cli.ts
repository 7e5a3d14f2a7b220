import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { requireEnv } from './services.ts';

const run = promisify(execFile);

/**
 * Runs the operator CLI as operators do — a fresh Node process on the real services — and resolves
 * with its exit code, stdout and stderr (a non-zero exit is an answer, not a throw). `env` overrides
 * the defaults (a suite's own database, the sandboxes' variables).
 */
export async function runAdminCli(args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<{ code: number; out: string; err: string }> {
  const full = {
    ...process.env,
    DATABASE_URL: requireEnv('TEST_DATABASE_URL'),
    REDIS_URL: requireEnv('TEST_REDIS_URL'),
    KAFKA_BROKERS: requireEnv('TEST_KAFKA_BROKERS'),
    LOG_LEVEL: 'silent',
    ...env,
  };
  try {
    const r = await run(process.execPath, ['src/entrypoints/admin/main.ts', ...args], { env: full, timeout: timeoutMs });
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, out: x.stdout, err: x.stderr };
  }
}
