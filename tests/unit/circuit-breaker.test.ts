import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../src/adapters/ewallet/circuit-breaker.ts';

const clock = { t: 0 };
const failing = () => Promise.reject(new Error('boom'));
const ok = () => Promise.resolve('ok');
const all = () => true;

describe('CircuitBreaker', () => {
  it('opens after the threshold of consecutive failures and fails fast without calling', async () => {
    const b = new CircuitBreaker('p', { failureThreshold: 2, openMs: 1000, now: () => clock.t });
    await expect(b.run(failing, all)).rejects.toThrow('boom');
    await expect(b.run(ok, all)).resolves.toBe('ok'); // a success resets the count
    await expect(b.run(failing, all)).rejects.toThrow('boom');
    await expect(b.run(failing, all)).rejects.toThrow('boom');
    let called = false;
    await expect(b.run(async () => ((called = true), 'x'), all)).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE', kind: 'unavailable' });
    expect(called).toBe(false);
  });

  it('lets one trial through after openMs: success closes, failure reopens', async () => {
    const b = new CircuitBreaker('p', { failureThreshold: 1, openMs: 1000, now: () => clock.t });
    await expect(b.run(failing, all)).rejects.toThrow();
    expect(b.state).toBe('open');
    clock.t += 1000;
    expect(b.state).toBe('half-open');
    await expect(b.run(failing, all)).rejects.toThrow('boom');
    expect(b.state).toBe('open');
    clock.t += 1000;
    let release!: () => void;
    const trial = b.run(() => new Promise<string>((r) => (release = () => r('ok'))), all);
    await expect(b.run(ok, all)).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE' }); // one trial at a time
    release();
    await expect(trial).resolves.toBe('ok');
    expect(b.state).toBe('closed');
  });

  it('does not count errors that are answers (a decline, an unknown phone)', async () => {
    const b = new CircuitBreaker('p', { failureThreshold: 1, openMs: 1000, now: () => clock.t });
    await expect(b.run(failing, () => false)).rejects.toThrow('boom');
    expect(b.state).toBe('closed');
  });
});
