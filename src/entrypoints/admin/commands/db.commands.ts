import type { AdminCommand } from '../cli.ts';

export const dbCommands: AdminCommand[] = [
  {
    name: 'db status',
    summary: 'list applied and pending migrations',
    usage: 'db status',
    async run({ orm, print }) {
      const executed = await orm.migrator.getExecuted();
      const pending = await orm.migrator.getPending();
      const result = { executed: executed.map((m) => m.name), pending: pending.map((m) => m.name) };
      print(
        result,
        [
          `applied: ${result.executed.length}`,
          ...result.executed.map((n) => `  ${n}`),
          `pending: ${result.pending.length}`,
          ...result.pending.map((n) => `  ${n}`),
        ].join('\n'),
      );
    },
  },
];
