import type { Container } from 'inversify';
import type { Config } from '../shared/config.ts';
import type { Orm } from '../../adapters/persistence/orm.ts';
import type { AuditTrail } from '../../application/audit/audit-trail.ts';

/** What a command gets: the container, the database, the config, its parsed flags, and a printer that honours --json. */
export interface AdminContext {
  /** The payment and regulator contexts over the CLI's connections (src/entrypoints/composition). */
  container: Container;
  orm: Orm;
  config: Config;
  flags: Record<string, string | true>;
  print(result: unknown, human?: string): void;
  /** The audit trail, for the `audit` commands. */
  trail: AuditTrail;
  /**
   * Records what the command changed in the audit trail, as the operator (--operator NAME, else
   * the OS user), with this run's request id: one line at the end of every command that changes
   * something. It throws when the event could not be stored, so the command then exits 1.
   */
  audit(action: string, object: { type: string; id: string | null }, change?: { before?: unknown; after?: unknown; details?: unknown }): Promise<void>;
}

export interface AdminCommand {
  /** "<group> <action>", e.g. "accounts suspend" (or three words, "risk cases list"). */
  name: string;
  summary: string;
  usage: string;
  run(ctx: AdminContext): Promise<void>;
}

/** A refusal of bad input: printed without a stack, exit code 2. */
export class UsageError extends Error {}

export function parseArgs(argv: string[]): { words: string[]; flags: Record<string, string | true> } {
  const words: string[] = [];
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--')) {
      const [k, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
      if (inline !== undefined) flags[k] = inline;
      else if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) flags[k] = argv[++i]!;
      else flags[k] = true;
    } else words.push(a);
  }
  return { words, flags };
}

export function requireFlag(flags: AdminContext['flags'], name: string): string {
  const v = flags[name];
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${name} is required`);
  return v;
}
