import autocannon from 'autocannon';

export interface LoadResult {
  scenario: string;
  connections: number;
  duration_s: number;
  requests: number;
  achieved_rps: number;
  p50_ms: number;
  p99_ms: number;
  non_2xx: number;
  errors: number;
  timeouts: number;
}

export interface LoadOptions {
  scenario: string;
  url: string;
  connections: number;
  durationSeconds: number;
  /** Builds each request (random account, random amount, …). */
  request: () => { method: 'GET' | 'POST' | 'PUT'; path: string; headers: Record<string, string>; body?: string };
}

/**
 * Drives the server with autocannon (closed loop: each connection sends its next request when the
 * previous one answered, so the offered rate is whatever the server sustains at that concurrency).
 */
export async function load(o: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({
    url: o.url,
    connections: o.connections,
    duration: o.durationSeconds,
    timeout: 10,
    requests: [
      {
        setupRequest: (req) => {
          const r = o.request();
          return { ...req, method: r.method, path: r.path, headers: { ...r.headers, 'content-type': 'application/json' }, body: r.body };
        },
      },
    ],
  });
  return {
    scenario: o.scenario,
    connections: o.connections,
    duration_s: o.durationSeconds,
    requests: result.requests.total,
    achieved_rps: Math.round(result.requests.average),
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    non_2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}
