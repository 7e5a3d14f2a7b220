import { requireFlag, type AdminCommand } from '../cli.ts';
import { adminOf, dateFlag, intFlag, keyJson, limitsFlag, listFlag, optionalFlag } from './regulator-cli.ts';
import { describeLimits } from '../../../domain/regulator/rate-limits.ts';

const SHOWN_ONCE = 'Store it now: it is shown only once (only its hash is kept).';

export const keysCommands: AdminCommand[] = [
  {
    name: 'keys issue',
    summary: "issue an API key for an external service (printed once); defaults to the service's permissions and limits",
    usage:
      'keys issue --service NAME|ID --name NAME [--permissions READ_TRANSACTIONS,READ_REPORTS] [--limit-second N --limit-minute N --limit-hour N --limit-day N] [--expires ISO] [--allow-ips IP,CIDR]',
    async run(ctx) {
      const issued = await adminOf(ctx).issueKey.execute({
        service: requireFlag(ctx.flags, 'service'),
        name: requireFlag(ctx.flags, 'name'),
        permissions: listFlag(ctx.flags, 'permissions'),
        rateLimits: limitsFlag(ctx.flags),
        expiresAt: dateFlag(ctx.flags, 'expires') ?? null,
        allowedIps: listFlag(ctx.flags, 'allow-ips') ?? null,
      });
      await ctx.audit('keys.issue', { type: 'api_key', id: issued.apiKey.id }, { after: keyJson(issued.apiKey) });
      ctx.print(
        { api_key: issued.key, key: keyJson(issued.apiKey), service: issued.service.company },
        [
          `API key for ${issued.service.company}: ${issued.key}`,
          `  id ${issued.apiKey.id}, ${issued.apiKey.permissions.join(', ')}, ${describeLimits(issued.apiKey.rateLimits)}`,
          SHOWN_ONCE,
        ].join('\n'),
      );
    },
  },
  {
    name: 'keys list',
    summary: 'list API keys (prefix, permissions, limits, state; never the key)',
    usage: 'keys list [--service NAME|ID]',
    async run(ctx) {
      const keys = await adminOf(ctx).listKeys.execute(optionalFlag(ctx.flags, 'service'));
      const rows = keys.map((k) => keyJson(k));
      ctx.print(
        rows,
        rows
          .map((k) => `${k.id}  ${String(k.prefix).padEnd(17)} ${String(k.state).padEnd(8)} ${(k.permissions as string[]).join(',')}  ${k.name}`)
          .join('\n') || 'no API keys',
      );
    },
  },
  {
    name: 'keys rotate',
    summary: 'issue a replacement key; the old one keeps working for the overlap (API_KEY_ROTATION_OVERLAP_SECONDS)',
    usage: 'keys rotate --id KEY_ID [--overlap-seconds N]',
    async run(ctx) {
      const overlap = intFlag(ctx.flags, 'overlap-seconds', 0, 30 * 86400) ?? ctx.config.API_KEY_ROTATION_OVERLAP_SECONDS;
      const r = await adminOf(ctx).rotateKey.execute(requireFlag(ctx.flags, 'id'), overlap);
      await ctx.audit(
        'keys.rotate',
        { type: 'api_key', id: r.apiKey.rotatedFrom },
        { after: { replacement: keyJson(r.apiKey), old_key_valid_until: r.oldKeyValidUntil.toISOString() } },
      );
      ctx.print(
        { api_key: r.key, key: keyJson(r.apiKey), old_key_valid_until: r.oldKeyValidUntil.toISOString() },
        [`new API key for ${r.service.company}: ${r.key}`, `  id ${r.apiKey.id}; the old key works until ${r.oldKeyValidUntil.toISOString()}`, SHOWN_ONCE].join(
          '\n',
        ),
      );
    },
  },
  {
    name: 'keys revoke',
    summary: 'revoke an API key at once',
    usage: 'keys revoke --id KEY_ID',
    async run(ctx) {
      const k = await adminOf(ctx).revokeKey.execute(requireFlag(ctx.flags, 'id'));
      await ctx.audit('keys.revoke', { type: 'api_key', id: k.id }, { after: { revoked_at: k.revokedAt?.toISOString() ?? null, prefix: k.prefix } });
      ctx.print(keyJson(k), `revoked ${k.prefix} (${k.id})`);
    },
  },
];
