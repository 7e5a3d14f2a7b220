import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireEnv, uniq } from '../support/services.ts';
import { repoPath } from './support/kustomize.ts';

/*
 * OpenTelemetry end to end: a real entrypoint started as a process with OTEL_EXPORTER_OTLP_ENDPOINT
 * pointing at a small OTLP/HTTP receiver in this test. A login request must produce an HTTP server
 * span with PostgreSQL and Redis spans in the same trace, and the request's log line must carry
 * that trace id. A message through the real Kafka event bus must carry the trace context in its
 * headers to the consumer. Without the variable, nothing is exported.
 */

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: { key: string; value: Record<string, unknown> }[];
}
interface ReceivedSpan extends OtlpSpan {
  service: string;
}

const SPAN_KIND = { SERVER: 2, PRODUCER: 4, CONSUMER: 5 };
const attr = (s: OtlpSpan, key: string) => {
  const v = s.attributes?.find((a) => a.key === key)?.value;
  return v ? Object.values(v)[0] : undefined;
};

let receiver: Server;
let endpoint: string;
const spans: ReceivedSpan[] = [];
let requests = 0;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests++;
      if (req.url === '/v1/traces') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          resourceSpans: { resource: { attributes: { key: string; value: { stringValue?: string } }[] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
        };
        for (const rs of body.resourceSpans) {
          const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
          for (const ss of rs.scopeSpans) for (const s of ss.spans) spans.push({ ...s, service });
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => receiver.close(() => r())));

function baseEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    DATABASE_URL: requireEnv('TEST_DATABASE_URL'),
    REDIS_URL: requireEnv('TEST_REDIS_URL'),
    KAFKA_BROKERS: requireEnv('TEST_KAFKA_BROKERS'),
    ...extra,
  };
}

/** Starts an entrypoint as its own process; resolves with its URL and every log line it writes. */
async function startEntrypoint(
  name: string,
  env: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess; url: string; logs: Record<string, unknown>[]; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [repoPath('src', 'entrypoints', name, 'main.ts')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${name} did not start: ${stderr}`)), 30_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (typeof entry.url === 'string') {
          clearTimeout(t);
          resolve(entry.url);
        }
      } catch {
        // not a log line
      }
    });
    void exited.then((code) => reject(new Error(`${name} exited with ${code}: ${stderr}`)));
  });
  return { child, url, logs, exited };
}

describe('OpenTelemetry in the entrypoints', () => {
  it('traces a request through HTTP, PostgreSQL and Redis, exports it over OTLP, and logs its trace id', async () => {
    const p = await startEntrypoint('auth', baseEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }));
    const r = await fetch(`${p.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: uniq('nobody'), password: 'not-the-password-1' }),
    });
    expect(r.status).toBe(401);
    await fetch(`${p.url}/healthz`);
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);

    const path = (s: OtlpSpan) => String(attr(s, 'url.path') ?? attr(s, 'http.target') ?? '');
    const server = spans.find((s) => s.service === 'auth-service' && s.kind === SPAN_KIND.SERVER && path(s) === '/api/auth/login');
    expect(server, `server span among ${spans.map((s) => s.name).join(', ')}`).toBeDefined();
    const trace = spans.filter((s) => s.traceId === server!.traceId);
    const systems = new Set(trace.map((s) => attr(s, 'db.system.name') ?? attr(s, 'db.system')));
    expect(systems).toContain('postgresql');
    expect(systems).toContain('redis');
    // Probes are not traced.
    expect(spans.some((s) => s.kind === SPAN_KIND.SERVER && path(s).startsWith('/healthz'))).toBe(false);
    // Koa names the route (its span carries the route template).
    expect(trace.some((s) => attr(s, 'http.route') === '/api/auth/login')).toBe(true);
    // Redis spans carry the command only, never its arguments (token ids, keys).
    for (const s of trace.filter((x) => (attr(x, 'db.system.name') ?? attr(x, 'db.system')) === 'redis')) {
      const statement = String(attr(s, 'db.query.text') ?? attr(s, 'db.statement') ?? '');
      expect(statement).toMatch(/^[a-z]*$/i);
    }

    const requestLog = p.logs.find((l) => l.trace_id === server!.traceId);
    expect(requestLog, 'a log line of the request carries its trace id').toBeDefined();
    expect(requestLog!.span_id).toMatch(/^[0-9a-f]{16}$/);
  });

  it('carries the trace context through Kafka message headers from producer to consumer', async () => {
    const topic = uniq('otel-kafka-');
    const child = spawn(process.execPath, [repoPath('tests', 'deploy', 'fixtures', 'kafka-tracing.ts')], {
      env: baseEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, FIXTURE_TOPIC: topic }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    expect(code, err).toBe(0);
    const result = JSON.parse(out.trim().split('\n').pop()!) as {
      enabled: boolean;
      producerTraceId: string;
      consumerTraceId: string;
      headers: Record<string, string>;
    };
    expect(result.enabled).toBe(true);
    expect(result.headers.traceparent).toMatch(new RegExp(`^00-${result.producerTraceId}-[0-9a-f]{16}-0[01]$`));
    expect(result.consumerTraceId).toBe(result.producerTraceId);
    const inTrace = spans.filter((s) => s.traceId === result.producerTraceId);
    expect(inTrace.some((s) => s.kind === SPAN_KIND.PRODUCER)).toBe(true);
    expect(inTrace.some((s) => s.kind === SPAN_KIND.CONSUMER)).toBe(true);
  }, 40_000);

  it('exports nothing when OTEL_EXPORTER_OTLP_ENDPOINT is not set', async () => {
    const before = requests;
    // Its own consumer group and topic: it must not join the default group other suites may use.
    const p = await startEntrypoint('transaction', baseEnv({ KAFKA_CONSUMER_GROUP: uniq('otel-tx-'), KAFKA_TOPIC_TRANSACTIONS: uniq('otel-tx-events-') }));
    await fetch(`${p.url}/openapi.json`);
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(requests).toBe(before);
    expect(p.logs.some((l) => 'trace_id' in l)).toBe(false);
  });
});
