import { Agent, request } from 'node:http';

export interface OpenLoadResult {
  scenario: string;
  offered_rps: number;
  achieved_rps: number;
  sent: number;
  ok_2xx: number;
  non_2xx: number;
  errors: number;
  p50_ms: number;
  p99_ms: number;
  duration_s: number;
}

/**
 * An open-model run: requests are sent at a fixed offered rate whatever the server answers (each
 * one on its own schedule, not after the previous answer), so queueing shows up in the latency
 * instead of lowering the rate as in a closed loop. Latency counts from the scheduled send time.
 */
export async function openLoad(o: {
  scenario: string;
  url: string;
  rate: number;
  durationSeconds: number;
  request: () => { method: 'GET' | 'POST'; path: string; headers: Record<string, string>; body?: string };
}): Promise<OpenLoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 512 });
  const target = new URL(o.url);
  const latencies: number[] = [];
  let sent = 0;
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  const inflight: Promise<void>[] = [];
  const start = performance.now();
  const total = Math.round(o.rate * o.durationSeconds);
  for (let i = 0; i < total; i++) {
    const at = start + (i * 1000) / o.rate;
    const wait = at - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const r = o.request();
    sent++;
    inflight.push(
      new Promise<void>((done) => {
        const req = request(
          { host: target.hostname, port: target.port, path: r.path, method: r.method, agent, headers: { ...r.headers, 'content-type': 'application/json' } },
          (res) => {
            res.resume();
            res.on('end', () => {
              latencies.push(performance.now() - at);
              if (res.statusCode! >= 200 && res.statusCode! < 300) ok++;
              else non2xx++;
              done();
            });
          },
        );
        req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
        req.on('error', () => {
          errors++;
          done();
        });
        req.end(r.body);
      }),
    );
  }
  await Promise.all(inflight);
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const q = (p: number) => +(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN).toFixed(1);
  return {
    scenario: o.scenario,
    offered_rps: o.rate,
    achieved_rps: Math.round(ok / elapsed),
    sent,
    ok_2xx: ok,
    non_2xx: non2xx,
    errors,
    p50_ms: q(0.5),
    p99_ms: q(0.99),
    duration_s: +elapsed.toFixed(1),
  };
}
