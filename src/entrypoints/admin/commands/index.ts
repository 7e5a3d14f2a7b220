import type { AdminCommand } from '../cli.ts';
import { dbCommands } from './db.commands.ts';
import { usersCommands } from './users.commands.ts';
import { servicesCommands } from './services.commands.ts';
import { keysCommands } from './keys.commands.ts';
import { accessLogsCommands } from './access-logs.commands.ts';
import { accountsCommands } from './accounts.commands.ts';
import { refundsCommands } from './refunds.commands.ts';
import { merchantsCommands } from './merchants.commands.ts';
import { reconcileCommands } from './reconcile.commands.ts';
import { discrepanciesCommands } from './discrepancies.commands.ts';
import { auditCommands } from './audit.commands.ts';
import { riskCommands } from './risk.commands.ts';

/** Every operator command; each service's issue adds its own file here. */
export const commands: AdminCommand[] = [
  ...dbCommands,
  ...usersCommands,
  ...servicesCommands,
  ...keysCommands,
  ...accessLogsCommands,
  ...accountsCommands,
  ...refundsCommands,
  ...discrepanciesCommands,
  ...merchantsCommands,
  ...reconcileCommands,
  ...auditCommands,
  ...riskCommands,
];
