import type { RunningPlatform } from '../../src/entrypoints/shared/platform.ts';

export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: { meta: { code: string; message: string; error?: string; errors?: { field: string; message: string }[]; request_id?: string }; data: T };
}

/** A small JSON client for the auth e2e suites. */
export function client(p: RunningPlatform | { url: string }) {
  return async <T = Record<string, unknown>>(
    method: string,
    path: string,
    opts: { body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<ApiResponse<T>> => {
    const r = await fetch(`${p.url}${path}`, {
      method,
      headers: { ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers },
      body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
    });
    const text = await r.text();
    return { status: r.status, headers: r.headers, body: text ? JSON.parse(text) : (undefined as never) };
  };
}

let seq = 0;
/** A fresh, valid registration; phone numbers random enough not to collide across runs. */
export function newRegistration(prefix = 'a') {
  seq++;
  const tag = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}${seq}`;
  const digits = String(Math.floor(Math.random() * 1e9)).padStart(9, '0');
  return { username: `${prefix}_${tag}`.slice(0, 50), email: `${prefix}.${tag}@Example.COM`, phone: `0813${digits}`, password: 'correct horse battery' };
}

/** A client IP of its own for each scenario (the suites trust 127.0.0.1 as Kong, so X-Forwarded-For counts). */
export function freshIp(): string {
  const b = () => Math.floor(Math.random() * 254) + 1;
  return `10.${b()}.${b()}.${b()}`;
}

/** `name=value` pairs from Set-Cookie headers, for cookie-only clients. */
export function cookiesFrom(headers: Headers): Record<string, { value: string; raw: string }> {
  const out: Record<string, { value: string; raw: string }> = {};
  for (const raw of headers.getSetCookie()) {
    const [pair] = raw.split(';');
    const i = pair!.indexOf('=');
    out[pair!.slice(0, i)] = { value: pair!.slice(i + 1), raw };
  }
  return out;
}
