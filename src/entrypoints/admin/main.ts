import { ConfigError, loadConfig } from '../shared/config.ts';
import { createOrm } from '../../adapters/persistence/orm.ts';
import { DomainError } from '../../domain/shared/domain-error.ts';
import { UsageError, parseArgs } from './cli.ts';
import { commands } from './commands/index.ts';
import { operatorAudit } from './operator-audit.ts';
import { createAuditTrail } from '../shared/audit.ts';

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
  const orm = await createOrm({ url, poolMax: 2 });
  try {
    const trail = createAuditTrail(orm, config);
    await command.run({
      orm,
      config,
      flags,
      trail,
      audit: operatorAudit(trail, flags),
      print: (result, human) => console.log(json ? JSON.stringify(result, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2) : (human ?? JSON.stringify(result, null, 2))),
    });
  } finally {
    await orm.close(true);
  }
} catch (err) {
  const e = err as Error;
  const usage = err instanceof UsageError || err instanceof ConfigError || (err instanceof DomainError && ['invalid', 'not_found', 'conflict', 'business_rule', 'forbidden'].includes(err.kind));
  const code = err instanceof DomainError ? err.code : usage ? 'USAGE' : 'FAILED';
  if (json) console.error(JSON.stringify({ error: code, message: e.message }));
  else console.error(`admin: ${e.message}`);
  exitCode = usage ? 2 : 1;
}
process.exit(exitCode);
