import { requireFlag, type AdminCommand } from '../cli.ts';
import { adminOf, limitsFlag, listFlag, optionalFlag, serviceJson } from './regulator-cli.ts';
import { describeLimits } from '../../../domain/regulator/rate-limits.ts';
import { isPermission, type Permission } from '../../../domain/regulator/permissions.ts';
import { RegulatorErrors } from '../../../domain/regulator/regulator.errors.ts';

export const servicesCommands: AdminCommand[] = [
  {
    name: 'services create',
    summary: 'register an external service (regulator); its keys come from "keys issue"',
    usage:
      'services create --company NAME --email CONTACT [--description TEXT] [--type REGULATOR] [--permissions P1,P2] [--limit-minute N --limit-hour N --limit-day N --limit-second N]',
    async run(ctx) {
      const permissions = (listFlag(ctx.flags, 'permissions') ?? []).map((p) => p.toUpperCase());
      for (const p of permissions) if (!isPermission(p)) throw RegulatorErrors.invalidPermission(p);
      const s = await adminOf(ctx).createService.execute({
        company: requireFlag(ctx.flags, 'company'),
        contactEmail: requireFlag(ctx.flags, 'email'),
        description: optionalFlag(ctx.flags, 'description') ?? null,
        serviceType: optionalFlag(ctx.flags, 'type') ?? 'REGULATOR',
        defaultPermissions: permissions as Permission[],
        defaultRateLimits: limitsFlag(ctx.flags) ?? {},
      });
      await ctx.audit('services.create', { type: 'external_service', id: s.id }, { after: serviceJson(s) });
      ctx.print(serviceJson(s), `created external service ${s.company} (${s.id})`);
    },
  },
  {
    name: 'services list',
    summary: 'list external services',
    usage: 'services list',
    async run(ctx) {
      const list = await adminOf(ctx).listServices.execute();
      ctx.print(
        list.map((s) => serviceJson(s)),
        list
          .map(
            (s) =>
              `${s.id}  ${s.company.padEnd(20)} ${s.isActive ? 'active  ' : 'inactive'}  ${s.defaultPermissions.join(',') || '-'}  ${describeLimits(s.defaultRateLimits)}`,
          )
          .join('\n') || 'no external services',
      );
    },
  },
  {
    name: 'services deactivate',
    summary: 'deactivate an external service: all its keys stop working',
    usage: 'services deactivate --service NAME|ID',
    async run(ctx) {
      const s = await adminOf(ctx).deactivateService.execute(requireFlag(ctx.flags, 'service'));
      await ctx.audit('services.deactivate', { type: 'external_service', id: s.id }, { before: { is_active: true }, after: { is_active: s.isActive } });
      ctx.print(serviceJson(s), `deactivated ${s.company}`);
    },
  },
];
