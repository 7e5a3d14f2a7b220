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
  it('trusts CIDR ranges (Kong pods in a cluster), and nothing outside them', () => {
    const ranges = ['10.0.0.0/8', '172.16.0.0/12', 'fd00::/8'];
    expect(clientIp('10.128.3.7', '198.51.100.7', ranges)).toBe('198.51.100.7');
    expect(clientIp('::ffff:172.17.0.5', '6.6.6.6, 198.51.100.8, 10.1.1.1', ranges)).toBe('198.51.100.8');
    expect(clientIp('fd12::5', '2001:db8::1', ranges)).toBe('2001:db8::1');
    expect(clientIp('203.0.113.9', '1.2.3.4', ranges)).toBe('203.0.113.9');
    expect(clientIp('11.0.0.1', '1.2.3.4', ranges)).toBe('11.0.0.1');
  });
});
