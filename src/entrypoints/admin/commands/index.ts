import type { AdminCommand } from '../cli.ts';
import { dbCommands } from './db.commands.ts';

/** Every operator command; each service's issue adds its own file here. */
export const commands: AdminCommand[] = [...dbCommands];
