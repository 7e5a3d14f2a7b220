import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoPath } from './support/kustomize.ts';

/*
 * The Jenkinsfile: linted with npm-groovy-lint (CodeNarc on the machine's Java 17, offline), with
 * a deliberately broken copy linted in the same run so the check is shown to fail on bad Groovy;
 * then the declarative pipeline's stages are checked against the delivery process.
 */

interface LintResult {
  files: Record<string, { errors: { line: number; rule: string; severity: string; msg: string }[] }>;
}

const jenkinsfile = readFileSync(repoPath('Jenkinsfile'), 'utf8');
let lint: LintResult;
let goodPath: string;
let brokenPath: string;

beforeAll(() => {
  // Both files in one run (the linter starts a JVM: once is enough), from a scratch directory.
  const dir = mkdtempSync(join(tmpdir(), 'jenkinsfile-'));
  goodPath = join(dir, 'good', 'Jenkinsfile');
  brokenPath = join(dir, 'broken', 'Jenkinsfile');
  mkdirSync(dirname(goodPath));
  mkdirSync(dirname(brokenPath));
  writeFileSync(goodPath, jenkinsfile);
  // An unclosed block: not Groovy.
  writeFileSync(brokenPath, jenkinsfile.replace(/stage\('Install'\) \{\n/, "stage('Install') {\n        steps {\n"));
  const r = spawnSync(repoPath('node_modules', '.bin', 'npm-groovy-lint'), ['--noserver', '--output', 'json', 'good/Jenkinsfile', 'broken/Jenkinsfile'], {
    encoding: 'utf8',
    cwd: dir,
    timeout: 240_000,
  });
  const json = r.stdout.slice(r.stdout.indexOf('{'));
  if (!json) throw new Error(`npm-groovy-lint gave no report: ${r.stderr || r.error?.message}`);
  lint = JSON.parse(json) as LintResult;
}, 300_000);

describe('Jenkinsfile', () => {
  it('lints without errors (npm-groovy-lint)', () => {
    const errors = lint.files[goodPath]!.errors.filter((e) => e.severity === 'error');
    expect(errors).toEqual([]);
  });

  it('is reported broken when it is not valid Groovy (the lint can fail)', () => {
    const errors = lint.files[brokenPath]!.errors.filter((e) => e.severity === 'error');
    expect(errors.length).toBeGreaterThan(0);
  });

  it('is a declarative pipeline running the delivery stages in order', () => {
    expect(jenkinsfile).toMatch(/^pipeline \{/m);
    const stages = [...jenkinsfile.matchAll(/stage\('([^']+)'\)/g)].map((m) => m[1]);
    expect(stages).toEqual([
      'Checkout',
      'Install',
      'Lint and typecheck',
      'Lint',
      'Typecheck',
      'Unit and integration tests',
      'SonarQube analysis',
      'Build image',
      'Vulnerability scan',
      'Push',
      'Deploy to dev',
      'Deploy to staging',
      'Approve production',
      'Deploy to production',
    ]);
  });

  it('tests with coverage, scans with SonarQube and Trivy, approves production by hand, rolls out and smoke-tests /readyz, and notifies', () => {
    expect(jenkinsfile).toMatch(/npm test -- --coverage/);
    expect(jenkinsfile).toMatch(/waitForQualityGate abortPipeline: true/);
    expect(jenkinsfile).toMatch(/trivy image --exit-code 1 --severity HIGH,CRITICAL/);
    expect(jenkinsfile).toMatch(/input message:/);
    expect(jenkinsfile).toMatch(/kubectl apply -k k8s\/overlays\//);
    expect(jenkinsfile).toMatch(/rollout status deployment/);
    expect(jenkinsfile).toMatch(/\/readyz/);
    expect(jenkinsfile).toMatch(/post \{[\s\S]*success \{[\s\S]*failure \{/);
    const sonar = readFileSync(repoPath('sonar-project.properties'), 'utf8');
    expect(sonar).toMatch(/^sonar\.projectKey=one-gate-payment$/m);
    expect(sonar).toMatch(/^sonar\.javascript\.lcov\.reportPaths=coverage\/lcov\.info$/m);
  });
});
