import { ProviderError, transportError } from './provider-http.ts';

/**
 * One POST of a JSON body whose answer is a report (a daily statement's CSV) rather than JSON; a
 * JSON answer (an error) is parsed so the caller can read its code. Never retries by itself.
 */
export interface ReportAnswer {
  status: number;
  contentType: string;
  text: string;
}

export async function postForReport(url: string, headers: Record<string, string>, bodyText: string, timeoutMs: number): Promise<ReportAnswer> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/csv, application/json', ...headers },
      body: bodyText,
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: res.status, contentType: res.headers.get('content-type') ?? '', text: await res.text() };
  } catch (err) {
    throw transportError(err, url);
  }
}

/** The CSV of a 200 text/csv answer; PROVIDER_ERROR otherwise (transient for 5xx). */
export function reportCsv(provider: string, a: ReportAnswer): string {
  if (a.status >= 500) throw new ProviderError('PROVIDER_ERROR', `${provider} answered ${a.status}`, true);
  if (a.status !== 200 || !a.contentType.startsWith('text/csv'))
    throw new ProviderError('PROVIDER_ERROR', `${provider} answered ${a.status} (${a.contentType || 'no content type'}) to a statement request`, false);
  return a.text;
}

/** Parses with the provider's format; a malformed statement is PROVIDER_ERROR, never a partial one. */
export function parsedStatement<T>(provider: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new ProviderError('PROVIDER_ERROR', `${provider} sent a malformed statement: ${(err as Error).message}`, false);
  }
}
