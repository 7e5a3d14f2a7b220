import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { loadConfig } from '../../src/entrypoints/shared/config.ts';

// The pages allowed to send cookie-authenticated writes (ALLOWED_ORIGINS, checked at the service)
// are the pages Kong lets make credentialed cross-origin calls (its CORS origins): one list, twice.
const repo = (...p: string[]) => new URL(`../../${p.join('/')}`, import.meta.url);

describe('ALLOWED_ORIGINS in the shipped configuration', () => {
  it('equals the Kong CORS origins and passes config validation', () => {
    const kong = parse(readFileSync(repo('kong.yml'), 'utf8')) as { plugins: { name: string; config: { origins?: string[] } }[] };
    const cors = kong.plugins.find((x) => x.name === 'cors')!.config.origins!;
    const map = parseAllDocuments(readFileSync(repo('k8s', 'base', 'config.yaml'), 'utf8'))
      .map((d) => d.toJSON() as { kind?: string; data?: Record<string, string> })
      .find((d) => d.kind === 'ConfigMap')!;
    const allowed = loadConfig({ ALLOWED_ORIGINS: map.data!.ALLOWED_ORIGINS }).ALLOWED_ORIGINS;
    expect([...allowed].sort()).toEqual([...cors].sort());
  });

  it('refuses an entry that is not an origin (a path, a wildcard, no scheme)', () => {
    for (const bad of ['https://app.example.com/', 'https://*.example.com', 'app.example.com', 'https://app.example.com/path']) {
      expect(() => loadConfig({ ALLOWED_ORIGINS: bad }), bad).toThrow(/ALLOWED_ORIGINS/);
    }
  });
});
