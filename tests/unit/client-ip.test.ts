import { describe, expect, it } from 'vitest';
import { clientIp } from '../../src/adapters/http/app.ts';

describe('client IP', () => {
  const trusted = ['10.0.0.1', '127.0.0.1'];
  it('ignores X-Forwarded-For from an untrusted peer', () => {
    expect(clientIp('203.0.113.9', '1.2.3.4', trusted)).toBe('203.0.113.9');
  });
  it('takes the nearest untrusted hop behind trusted proxies', () => {
    expect(clientIp('::ffff:127.0.0.1', '6.6.6.6, 198.51.100.7, 10.0.0.1', trusted)).toBe('198.51.100.7');
  });
  it('uses the peer without the header', () => {
    expect(clientIp('127.0.0.1', '', trusted)).toBe('127.0.0.1');
  });
});
