import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/adapters/http/logger.ts';

describe('logger', () => {
  it('redacts passwords, tokens, API keys and Authorization', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) });
    const log = createLogger('test', 'info', sink);
    log.info(
      {
        password: 'hunter22',
        body: { password: 'p4ss', refresh_token: 'rt-secret' },
        headers: { authorization: 'Bearer abc.def', 'x-api-key': 'ogp_live_key', cookie: 'auth-token=zzz' },
      },
      'x',
    );
    const out = lines.join('');
    for (const secret of ['hunter22', 'p4ss', 'rt-secret', 'abc.def', 'ogp_live_key', 'zzz']) expect(out).not.toContain(secret);
    expect(out).toContain('[REDACTED]');
  });
});
