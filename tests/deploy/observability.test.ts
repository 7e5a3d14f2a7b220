import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoPath } from './support/kustomize.ts';

/*
 * The observability stack's configuration: Prometheus config and alert rules through promtool
 * (Debian's `prometheus` package; .ci/run installs it), alert rules unit-tested with
 * `promtool test rules`, and the collector, Loki, Tempo and Grafana files checked for what the
 * design asks of them.
 */

const obs = (...p: string[]) => repoPath('observability', ...p);

function promtool(...args: string[]) {
  const r = spawnSync('promtool', args, { cwd: obs('prometheus'), encoding: 'utf8' });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error('promtool is not on PATH: run the suites with `npm test`, which provides it (scripts/ensure-promtool.sh)');
  }
  return r;
}

describe('Prometheus', () => {
  it('has a valid configuration (promtool check config), which loads the alert rules', () => {
    const r = promtool('check', 'config', 'prometheus.yml');
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('rules found');
  });

  it('has valid alert rules (promtool check rules) covering errors, latency, outbox age, consumer lag and pods down', () => {
    const r = promtool('check', 'rules', 'alerts.yml');
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const rules = (
      parse(readFileSync(obs('prometheus', 'alerts.yml'), 'utf8')) as { groups: { rules: { alert: string; labels: { severity: string } }[] }[] }
    ).groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.alert)).toEqual(
      expect.arrayContaining(['HighErrorRate', 'HighLatency', 'OutboxEventsStuck', 'KafkaConsumerLagHigh', 'ServiceDown', 'PayoutsPendingTooLong']),
    );
    for (const rule of rules) expect(['critical', 'warning']).toContain(rule.labels.severity);
  });

  it('fires the alerts when it should and not before (promtool test rules)', () => {
    const r = promtool('test', 'rules', 'alerts.test.yml');
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('SUCCESS');
  });

  it('refuses a broken rule file (the check above can fail)', () => {
    const r = spawnSync('promtool', ['check', 'rules', '/dev/stdin'], {
      input: 'groups:\n  - name: x\n    rules:\n      - alert: Broken\n        expr: sum(rate(x[5m]) >\n',
      encoding: 'utf8',
    });
    expect(r.status).not.toBe(0);
  });

  it('scrapes the three services', () => {
    const config = parse(readFileSync(obs('prometheus', 'prometheus.yml'), 'utf8')) as {
      scrape_configs: { job_name: string; static_configs?: { targets: string[] }[] }[];
    };
    for (const s of ['auth-service', 'payment-service', 'transaction-service']) {
      const job = config.scrape_configs.find((j) => j.job_name === s);
      expect(job?.static_configs?.[0]?.targets).toEqual([`${s}:8080`]);
    }
  });
});

/** Metric names the code registers (prom-client), plus the default process/nodejs ones and exporters'. */
function knownMetrics(): Set<string> {
  const names = new Set<string>(['up', 'kafka_consumergroup_lag']);
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.ts')) for (const m of readFileSync(p, 'utf8').matchAll(/name:\s*'([a-z_:][a-z0-9_:]*)'/g)) names.add(m[1]!);
    }
  };
  walk(repoPath('src'));
  return names;
}
const PROMQL_WORDS = new Set([
  'sum',
  'by',
  'time',
  'rate',
  'max',
  'min',
  'avg',
  'histogram_quantile',
  'on',
  'without',
  'irate',
  'increase',
  'count',
  'le',
  'bool',
  'and',
  'or',
  'unless',
]);
function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\(\s*[a-z_, ]*\)\s*(?=\()/g, '');
  return [...stripped.matchAll(/[a-z_:][a-z0-9_:]*/g)].map((m) => m[0]).filter((w) => !PROMQL_WORDS.has(w) && !/^by\b/.test(w));
}
const isKnown = (name: string, known: Set<string>) => known.has(name) || known.has(name.replace(/_(bucket|count|sum)$/, '')) || /^(process|nodejs)_/.test(name);

describe('Grafana', () => {
  const dashboards = readdirSync(obs('grafana', 'dashboards')).map((f) => ({
    file: f,
    json: JSON.parse(readFileSync(obs('grafana', 'dashboards', f), 'utf8')) as {
      uid: string;
      title: string;
      panels: { title: string; targets: { expr: string }[] }[];
    },
  }));

  it('provisions a system and a business dashboard from the files', () => {
    expect(dashboards.map((d) => d.json.uid).sort()).toEqual(['onegate-business', 'onegate-system']);
    const provider = parse(readFileSync(obs('grafana', 'provisioning', 'dashboards', 'dashboards.yaml'), 'utf8')) as {
      providers: { options: { path: string } }[];
    };
    expect(provider.providers[0]!.options.path).toBe('/var/lib/grafana/dashboards');
    const ds = parse(readFileSync(obs('grafana', 'provisioning', 'datasources', 'datasources.yaml'), 'utf8')) as {
      datasources: { uid: string; type: string }[];
    };
    expect(ds.datasources.map((d) => d.type).sort()).toEqual(['loki', 'prometheus', 'tempo']);
  });

  it('reads metric names out of PromQL (the check below depends on it)', () => {
    expect(metricNames('sum by (service, le) (rate(foo_bucket{route="/x"}[5m])) / sum(bar_total) * 60')).toEqual(['foo_bucket', 'bar_total']);
    expect(isKnown('http_request_duration_seconds_bucket', knownMetrics())).toBe(true);
    expect(isKnown('onegate_made_up_total', knownMetrics())).toBe(false);
  });

  it('charts only metrics that the code or the exporters actually expose, and routes that exist', () => {
    const known = knownMetrics();
    const unknown: string[] = [];
    const alerts = (parse(readFileSync(obs('prometheus', 'alerts.yml'), 'utf8')) as { groups: { rules: { alert: string; expr: string }[] }[] }).groups.flatMap(
      (g) => g.rules.map((r) => ({ where: `alert ${r.alert}`, expr: r.expr })),
    );
    const panels = dashboards.flatMap((d) => d.json.panels.flatMap((p) => p.targets.map((t) => ({ where: `${d.file}: ${p.title}`, expr: t.expr }))));
    for (const { where, expr } of [...alerts, ...panels]) {
      for (const name of metricNames(expr)) if (!isKnown(name, known)) unknown.push(`${where}: ${name}`);
      for (const m of expr.matchAll(/route="([^"]+)"/g)) {
        const found =
          spawnSync('grep', ['-rqF', `'${m[1]}'`, repoPath('src')]).status === 0 ||
          spawnSync('grep', ['-rqF', `path: '${m[1]}'`, repoPath('src')]).status === 0;
        if (!found) unknown.push(`${where}: route ${m[1]} is not a route in src/`);
      }
    }
    expect(unknown).toEqual([]);
    expect(panels.length).toBeGreaterThan(15);
  });
});

describe('OpenTelemetry Collector', () => {
  const otel = parse(readFileSync(obs('otel-collector.yaml'), 'utf8')) as {
    receivers: { otlp: { protocols: { grpc: { endpoint: string }; http: { endpoint: string } } } };
    processors: Record<string, Record<string, unknown>>;
    exporters: Record<string, Record<string, unknown>>;
    service: { pipelines: Record<string, { receivers: string[]; processors: string[]; exporters: string[] }> };
  };

  it('receives OTLP over gRPC 4317 and HTTP 4318, and batches 100 items or 10 s', () => {
    expect(otel.receivers.otlp.protocols.grpc.endpoint).toMatch(/:4317$/);
    expect(otel.receivers.otlp.protocols.http.endpoint).toMatch(/:4318$/);
    expect(otel.processors.batch).toEqual({ send_batch_size: 100, timeout: '10s' });
  });

  it('exports traces to Tempo, logs to Loki and metrics to Prometheus, through pipelines of defined components', () => {
    const p = otel.service.pipelines;
    expect(p.traces!.exporters).toEqual(['otlp/tempo']);
    expect(p.logs!.exporters).toEqual(['otlphttp/loki']);
    expect(p.metrics!.exporters).toEqual(['prometheus']);
    for (const pipeline of Object.values(p)) {
      for (const r of pipeline.receivers) expect(Object.keys(otel.receivers)).toContain(r);
      for (const x of pipeline.processors) expect(Object.keys(otel.processors)).toContain(x);
      for (const e of pipeline.exporters) expect(Object.keys(otel.exporters)).toContain(e);
      expect(pipeline.processors.at(-1)).toBe('batch');
    }
  });
});

describe('Loki and Tempo', () => {
  it('keeps logs 168 h: retention set and enforced by the compactor', () => {
    const loki = parse(readFileSync(obs('loki', 'loki.yaml'), 'utf8')) as {
      limits_config: { retention_period: string };
      compactor: { retention_enabled: boolean };
    };
    expect(loki.limits_config.retention_period).toBe('168h');
    expect(loki.compactor.retention_enabled).toBe(true);
  });

  it('receives OTLP traces in Tempo', () => {
    const tempo = parse(readFileSync(obs('tempo', 'tempo.yaml'), 'utf8')) as {
      distributor: { receivers: { otlp: { protocols: { grpc: { endpoint: string } } } } };
    };
    expect(tempo.distributor.receivers.otlp.protocols.grpc.endpoint).toMatch(/:4317$/);
  });
});
