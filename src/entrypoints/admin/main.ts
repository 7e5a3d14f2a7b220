import { ConfigError, loadConfig } from '../shared/config.ts';
import { DomainError } from '../../domain/shared/domain-error.ts';
import { UsageError, parseArgs } from './cli.ts';
import { commands } from './commands/index.ts';
import { closeContainer } from '../composition/container.ts';
import { adminContext, openAdminContainer } from './admin-container.ts';

// The operator CLI: `npm run admin -- <group> <action> [--flags] [--json]`. Exit codes: 0 done, 1 failed, 2 bad input.
const { words, flags } = parseArgs(process.argv.slice(2));
const json = flags.json === true;

function help(): string {
  return ['usage: npm run admin -- <command> [--flags] [--json]', '', ...commands.map((c) => `  ${c.usage.padEnd(60)} ${c.summary}`)].join('\n');
}

// Most commands are "<group> <action>"; a group with kinds of objects takes three words ("risk cases list").
const command = commands.find((c) => c.name === words.slice(0, 3).join(' ')) ?? commands.find((c) => c.name === words.slice(0, 2).join(' '));
if (!command || flags.help) {
  console.log(help());
  process.exit(command || words.length === 0 ? 0 : 2);
}

let exitCode = 0;
try {
  const config = loadConfig();
  // Against the embedded default, connect to the embedded server that `npm start` runs.
  const url = config.DATABASE_URL ?? `postgresql://postgres:embedded@127.0.0.1:${config.EMBEDDED_PG_PORT}/onegate`;
  const container = await openAdminContainer(config, { kind: 'client', url, poolMax: 2 });
  try {
    await command.run(
      adminContext(container, flags, (result, human) =>
        console.log(json ? JSON.stringify(result, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2) : (human ?? JSON.stringify(result, null, 2))),
      ),
    );
  } finally {
    await closeContainer(container);
  }
} catch (err) {
  const e = err as Error;
  const usage =
    err instanceof UsageError ||
    err instanceof ConfigError ||
    (err instanceof DomainError && ['invalid', 'not_found', 'conflict', 'business_rule', 'forbidden'].includes(err.kind));
  const code = err instanceof DomainError ? err.code : usage ? 'USAGE' : 'FAILED';
  if (json) console.error(JSON.stringify({ error: code, message: e.message }));
  else console.error(`admin: ${e.message}`);
  exitCode = usage ? 2 : 1;
}
process.exit(exitCode);
