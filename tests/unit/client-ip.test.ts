import { describe, expect, it } from 'vitest';
import { clientIp } from '../../src/adapters/http/app.ts';
import { loadConfig } from '../../src/entrypoints/shared/config.ts';

describe('client IP', () => {
  const trusted = ['10.0.0.1', '127.0.0.1'];
  it('ignores X-Forwarded-For from an untrusted peer', () => {
    expect(clientIp('203.0.113.9', '1.2.3.4', trusted)).toBe('203.0.113.9');
    expect(clientIp('203.0.113.9', '1.2.3.4', trusted, 3)).toBe('203.0.113.9');
  });
  it('by default trusts no one: without a configured gateway the peer is the client, even on loopback', () => {
    const config = loadConfig({});
    const none = config.TRUSTED_PROXIES.split(',').filter(Boolean);
    expect(clientIp('127.0.0.1', '10.10.10.10', none, config.TRUSTED_PROXY_HOPS)).toBe('127.0.0.1');
    expect(clientIp('::1', '10.10.10.10', none, config.TRUSTED_PROXY_HOPS)).toBe('::1');
  });
  it('uses the peer without the header', () => {
    expect(clientIp('127.0.0.1', '', trusted)).toBe('127.0.0.1');
  });
  it('behind one proxy (Kong), takes the entry Kong appended: the right-most', () => {
    expect(clientIp('::ffff:127.0.0.1', '198.51.100.7', trusted)).toBe('198.51.100.7');
    expect(clientIp('127.0.0.1', '6.6.6.6, 10.10.10.10, 198.51.100.7', trusted, 1)).toBe('198.51.100.7');
  });
  it('behind two proxies, walks one more entry only through a trusted proxy', () => {
    expect(clientIp('::ffff:127.0.0.1', '6.6.6.6, 198.51.100.7, 10.0.0.1', trusted, 2)).toBe('198.51.100.7');
    // The nearest proxy saw an untrusted address: that is the client, whatever stands left of it.
    expect(clientIp('127.0.0.1', '10.0.0.1, 198.51.100.7', trusted, 2)).toBe('198.51.100.7');
  });
  it('never goes past the configured number of hops, even through trusted ranges (the spoof)', () => {
    // A client on a private address (VPN, SNAT) inside the trusted ranges writes X-Forwarded-For itself.
    const ranges = ['10.0.0.0/8', '172.16.0.0/12', 'fd00::/8'];
    expect(clientIp('10.128.3.7', '10.10.10.10, 10.20.30.40', ranges, 1)).toBe('10.20.30.40');
    expect(clientIp('10.128.3.7', '10.10.10.10, 10.20.30.40, 10.129.0.5', ranges, 2)).toBe('10.20.30.40');
    expect(clientIp('::ffff:172.17.0.5', '6.6.6.6, 198.51.100.8, 10.1.1.1', ranges, 2)).toBe('198.51.100.8');
    expect(clientIp('fd12::5', '2001:db8::1', ranges)).toBe('2001:db8::1');
    expect(clientIp('203.0.113.9', '1.2.3.4', ranges)).toBe('203.0.113.9');
    expect(clientIp('11.0.0.1', '1.2.3.4', ranges)).toBe('11.0.0.1');
  });
  it('with fewer entries than hops, stops at the left-most one (each was appended by a proxy of ours)', () => {
    expect(clientIp('127.0.0.1', '10.0.0.1', trusted, 3)).toBe('10.0.0.1');
  });
  it('an entry that is not an IP address ends the walk', () => {
    expect(clientIp('127.0.0.1', 'evil', trusted)).toBe('127.0.0.1');
    expect(clientIp('127.0.0.1', '1.2.3.4, ', trusted)).toBe('127.0.0.1');
    expect(clientIp('127.0.0.1', 'x, 10.0.0.1', trusted, 2)).toBe('10.0.0.1');
  });
});
