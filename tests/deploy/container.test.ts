import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoPath } from './support/kustomize.ts';

/*
 * The Dockerfile and docker-compose.yml, checked statically (no Docker engine runs here; where one
 * does, `docker build .` and `docker compose up` are the real check, see docs/DEPLOYMENT.md).
 */

interface Instruction {
  op: string;
  args: string;
  stage: number;
}

/** Dockerfile instructions (continuation lines joined, heredoc bodies attached to their COPY). */
function parseDockerfile(text: string): { instructions: Instruction[]; heredocs: Record<string, string> } {
  const lines = text.split('\n');
  const instructions: Instruction[] = [];
  const heredocs: Record<string, string> = {};
  let stage = -1;
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    if (!line.trim() || line.trim().startsWith('#')) continue;
    while (line.endsWith('\\')) line = line.slice(0, -1) + ' ' + lines[++i]!.trim();
    const [, op, args] = line.match(/^\s*([A-Za-z]+)\s+(.*)$/) ?? [];
    if (!op) throw new Error(`Dockerfile line ${i + 1}: cannot parse "${line}"`);
    const hd = args!.match(/<<-?'?(\w+)'?\s+(\S+)$/);
    if (hd) {
      const body: string[] = [];
      while (lines[++i] !== hd[1]) body.push(lines[i]!);
      heredocs[hd[2]!] = body.join('\n') + '\n';
    }
    if (op.toUpperCase() === 'FROM') stage++;
    instructions.push({ op: op.toUpperCase(), args: args!.trim(), stage });
  }
  return { instructions, heredocs };
}

const dockerfile = parseDockerfile(readFileSync(repoPath('Dockerfile'), 'utf8'));
const ENTRYPOINTS = ['auth', 'payment', 'transaction', 'migrate', 'admin'];

describe('Dockerfile', () => {
  const { instructions, heredocs } = dockerfile;
  const froms = instructions.filter((i) => i.op === 'FROM');
  const finalStage = froms.length - 1;
  const final = instructions.filter((i) => i.stage === finalStage);
  const args = Object.fromEntries(instructions.filter((i) => i.op === 'ARG').map((i) => i.args.split('=') as [string, string]));
  const image = (from: Instruction) => from.args.split(/\s+/)[0]!.replace(/\$\{(\w+)\}/g, (_, v: string) => args[v] ?? '');

  it('builds in several named stages and runs on Node 24', () => {
    expect(froms.length).toBeGreaterThanOrEqual(3);
    for (const f of froms) expect(f.args).toMatch(/\sAS\s+[a-z-]+$/i);
    expect(image(froms[finalStage]!)).toMatch(/^node:24[-.]/);
    // The final stage starts from a clean Node image, not from the stage with the dev dependencies.
    expect(froms[finalStage]!.args).not.toMatch(/^(deps|build)\b/);
  });

  it('compiles in a build stage and ships only dist and the production dependencies', () => {
    expect(instructions.some((i) => i.stage < finalStage && i.op === 'RUN' && /npm run build/.test(i.args))).toBe(true);
    expect(instructions.some((i) => i.stage < finalStage && i.op === 'RUN' && /npm ci\b.*--omit=dev/.test(i.args))).toBe(true);
    const copies = final.filter((i) => i.op === 'COPY').map((i) => i.args);
    expect(copies.some((c) => /--from=prod-deps\b.*node_modules/.test(c))).toBe(true);
    expect(copies.some((c) => /--from=build\b.*\/app\/dist/.test(c))).toBe(true);
    expect(final.some((i) => i.op === 'RUN' && /npm (ci|install)/.test(i.args))).toBe(false);
    const build = readFileSync(repoPath('tsconfig.build.json'), 'utf8');
    expect(JSON.parse(build).compilerOptions).toMatchObject({ outDir: 'dist', rootDir: 'src' });
  });

  it('runs as a non-root numeric user in group 0 (OpenShift arbitrary UIDs)', () => {
    const users = final.filter((i) => i.op === 'USER');
    expect(users.length).toBe(1);
    const [uid, gid] = users[0]!.args.split(':');
    expect(Number(uid)).toBeGreaterThan(0);
    expect(gid).toBe('0');
    // The USER comes after every RUN: nothing runs as root in the final image afterwards.
    expect(final.findIndex((i) => i.op === 'USER')).toBeGreaterThan(final.map((i) => i.op).lastIndexOf('RUN'));
  });

  it('bakes no secret into the image', () => {
    for (const i of instructions.filter((x) => x.op === 'ENV' || x.op === 'ARG')) expect(i.args).not.toMatch(/SECRET|PASSWORD|PRIVATE|TOKEN|API_KEY/i);
    expect(instructions.some((i) => i.op === 'ADD' && /https?:/.test(i.args))).toBe(false);
    const ignore = readFileSync(repoPath('.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim());
    for (const p of ['.git', '.env', '.data', 'node_modules', 'dist', '*.pem']) expect(ignore).toContain(p);
  });

  it('picks the entrypoint from the command: each one exists in src/entrypoints', () => {
    const entry = final.find((i) => i.op === 'ENTRYPOINT')!;
    const entryPath = (JSON.parse(entry.args) as string[])[0]!;
    const script = heredocs[entryPath];
    expect(script, `the ENTRYPOINT ${entryPath} is written by a COPY heredoc`).toBeDefined();
    for (const e of ENTRYPOINTS) {
      expect(script).toMatch(new RegExp(`\\b${e}\\b`));
      expect(existsSync(repoPath('src', 'entrypoints', e, 'main.ts')), `src/entrypoints/${e}/main.ts`).toBe(true);
    }
  });

  it('has an entrypoint script that execs node on the chosen main.js with the remaining arguments, and refuses others', () => {
    const entry = final.find((i) => i.op === 'ENTRYPOINT')!;
    const script = dockerfile.heredocs[(JSON.parse(entry.args) as string[])[0]!]!;
    const dir = mkdtempSync(join(tmpdir(), 'onegate-entry-'));
    writeFileSync(join(dir, 'onegate'), script);
    // A stand-in `node` that prints what it was asked to run.
    writeFileSync(join(dir, 'node'), '#!/bin/sh\necho "node $*"\n');
    chmodSync(join(dir, 'node'), 0o755);
    const run = (...a: string[]) => spawnSync('sh', [join(dir, 'onegate'), ...a], { env: { PATH: `${dir}:/usr/bin:/bin` }, encoding: 'utf8' });
    for (const e of ENTRYPOINTS) {
      const r = run(e, '--json', 'x y');
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout.trim()).toBe(`node /app/dist/entrypoints/${e}/main.js --json x y`);
    }
    const bad = run('rm');
    expect(bad.status).toBe(64);
    expect(bad.stderr).toContain('usage');
    expect(run().status).toBe(64);
  });
});

describe('docker-compose.yml', () => {
  type ComposeService = {
    image?: string;
    build?: unknown;
    command?: string[];
    environment?: Record<string, string>;
    depends_on?: Record<string, unknown> | string[];
    ports?: string[];
    volumes?: string[];
    user?: string;
  };
  const compose = parse(readFileSync(repoPath('docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, ComposeService>;
    volumes: Record<string, unknown>;
  };
  const services = compose.services;

  it('runs the whole platform: data stores, Kong, the migration, the three services and observability', () => {
    for (const s of [
      'postgres',
      'redis',
      'redis-cache',
      'kafka',
      'kafka-init',
      'kong',
      'migrate',
      'auth-service',
      'payment-service',
      'transaction-service',
      'otel-collector',
      'prometheus',
      'loki',
      'tempo',
      'grafana',
    ])
      expect(Object.keys(services)).toContain(s);
    expect(services.postgres!.image).toMatch(/^postgres:17/);
    expect(services.kafka!.environment!.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(services['kafka-init']!.command!.join(' ')).toMatch(/--topic transaction-events --partitions 3 --replication-factor 1/);
    expect(services.redis!.command!.join(' ')).toContain('--maxmemory-policy noeviction');
    expect(services['redis-cache']!.command!.join(' ')).toContain('--maxmemory-policy allkeys-lru');
  });

  it('starts each service from the one image with its entrypoint, after the migration', () => {
    for (const [name, entry] of [
      ['auth-service', 'auth'],
      ['payment-service', 'payment'],
      ['transaction-service', 'transaction'],
      ['migrate', 'migrate'],
    ] as const) {
      const s = services[name]!;
      expect(s.build).toBe('.');
      expect(s.command).toEqual([entry]);
    }
    for (const name of ['auth-service', 'payment-service', 'transaction-service'])
      expect((services[name]!.depends_on as Record<string, { condition: string }>).migrate).toEqual({ condition: 'service_completed_successfully' });
  });

  it('refers only to services, volumes and files that exist', () => {
    for (const [name, s] of Object.entries(services)) {
      const deps = Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {});
      for (const d of deps) expect(Object.keys(services), `${name} depends on ${d}`).toContain(d);
      for (const v of s.volumes ?? []) {
        const source = v.split(':')[0]!;
        if (source.startsWith('./')) expect(existsSync(repoPath(source)), `${name} mounts ${source}`).toBe(true);
        else expect(Object.keys(compose.volumes), `${name} uses volume ${source}`).toContain(source);
      }
    }
  });

  it('gives the services only documented configuration variables', () => {
    const readme = readFileSync(repoPath('README.md'), 'utf8');
    for (const name of ['auth-service', 'payment-service', 'transaction-service', 'migrate']) {
      const undocumented = Object.keys(services[name]!.environment ?? {}).filter((k) => !readme.includes(`\`${k}\``));
      expect(undocumented, name).toEqual([]);
    }
  });

  it('publishes only Kong’s proxy and the observability UIs; Kong’s Admin API is off', () => {
    const published = Object.entries(services)
      .filter(([, s]) => s.ports?.length)
      .map(([n]) => n)
      .sort();
    expect(published).toEqual(['grafana', 'kong', 'prometheus']);
    expect(services.kong!.ports).toEqual(['8000:8000']);
    expect(services.kong!.environment!.KONG_ADMIN_LISTEN).toBe('off');
    expect(services.kong!.environment!.KONG_DATABASE).toBe('off');
  });

  it('trusts only Kong’s fixed address for X-Forwarded-For, and only its one entry', () => {
    const networks = (
      parse(readFileSync(repoPath('docker-compose.yml'), 'utf8')) as { networks: { default: { ipam: { config: { subnet: string; ip_range: string }[] } } } }
    ).networks;
    const kongAddress = (services.kong as ComposeService & { networks: { default: { ipv4_address: string } } }).networks.default.ipv4_address;
    const [{ subnet, ip_range }] = networks.default.ipam.config as [{ subnet: string; ip_range: string }];
    const inRange = (ip: string, cidr: string) => {
      const [base, bits] = cidr.split('/') as [string, string];
      const n = (a: string) => a.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
      const size = 2 ** (32 - Number(bits));
      return Math.floor(n(ip) / size) === Math.floor(n(base) / size);
    };
    expect(inRange(kongAddress, subnet)).toBe(true);
    expect(inRange(kongAddress, ip_range), 'no other container may be given Kong’s address').toBe(false);
    for (const name of ['auth-service', 'payment-service', 'transaction-service']) {
      expect(services[name]!.environment!.TRUSTED_PROXIES, name).toBe(kongAddress);
      expect(services[name]!.environment!.TRUSTED_PROXY_HOPS, name).toBe('1');
    }
    // Kong is the edge here: it believes no X-Forwarded-For (no trusted_ips), so it appends the real peer.
    expect(services.kong!.environment!.KONG_TRUSTED_IPS).toBeUndefined();
  });

  it('keeps secrets out of the file: they come from .env', () => {
    const text = readFileSync(repoPath('docker-compose.yml'), 'utf8');
    expect(text).not.toMatch(/BEGIN [A-Z ]*KEY/);
    expect(services['auth-service']!.environment!.JWT_PRIVATE_KEY).toMatch(/^\$\{JWT_PRIVATE_KEY:\?/);
  });
});
