import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Money } from '../../src/domain/shared/money.ts';
import type { DisbursementControl, DisbursementProvider } from '../../src/domain/disbursement/disbursement-provider.ts';
import { InMemoryDisbursementProvider } from '../../src/adapters/memory/in-memory-disbursement-provider.ts';
import { SnapDisbursementProvider } from '../../src/adapters/disbursement/snap-disbursement-provider.ts';
import {
  DISBURSEMENT_SANDBOX_CREDENTIALS,
  startDisbursementSandbox,
  type DisbursementSandbox,
} from '../../src/adapters/disbursement/sandbox/disbursement-sandbox.ts';
import { SNAP_TRANSFER_PATHS, signTransferRequest, snapTimestamp } from '../../src/adapters/disbursement/snap-transfer-protocol.ts';
import { uniq } from '../support/services.ts';

// One contract, two implementations: the HTTP adapter against its sandbox, and the in-memory fake.
let sandbox: DisbursementSandbox;
beforeAll(async () => {
  sandbox = await startDisbursementSandbox();
});
afterAll(() => sandbox?.stop());

const call = { timeoutMs: 1500, retries: 0, backoffMs: 10, circuitFailureThreshold: 1000, circuitOpenMs: 1000 };
const implementations: [string, () => { provider: DisbursementProvider; control: DisbursementControl }][] = [
  [
    'SNAP adapter against the sandbox',
    () => ({ provider: new SnapDisbursementProvider({ baseUrl: sandbox.url, ...DISBURSEMENT_SANDBOX_CREDENTIALS, call }), control: sandbox.control }),
  ],
  [
    'in-memory fake',
    () => {
      const fake = new InMemoryDisbursementProvider();
      return { provider: fake, control: fake.control };
    },
  ],
];

const order = (amount = '150000.00') => ({
  reference: uniq('PO-T').toUpperCase(),
  bankCode: 'BCA',
  accountNumber: '1234567890',
  holderName: 'Budi Santoso',
  amount: Money.parse(amount),
});

describe.each(implementations)('disbursement provider contract: %s', (_name, make) => {
  it('transfers once per reference: a replay answers the same transfer', async () => {
    const { provider, control } = make();
    const o = order();
    const first = await provider.transfer(o);
    expect(first.status).toBe('SUCCESS');
    const count = control.transferCount();
    const again = await provider.transfer(o);
    expect(again).toEqual(first);
    expect(control.transferCount()).toBe(count);
    expect(control.transfer(o.reference)).toMatchObject({ status: 'SUCCESS', accountNumber: '1234567890' });
    expect(control.transfer(o.reference)!.amount.toString()).toBe('150000.00');
    expect((await provider.status(o.reference)).status).toBe('SUCCESS');
  });

  it('reports a reference it never saw as FAILED NOT_FOUND', async () => {
    const { provider } = make();
    expect(await provider.status('PO-NEVER-SENT')).toEqual({ status: 'FAILED', providerReference: null, reason: 'NOT_FOUND' });
  });

  it('a rejection is a FAILED result with a reason, not an error', async () => {
    const { provider, control } = make();
    control.behave('transfer', { kind: 'fail', reason: 'ACCOUNT_CLOSED' });
    const r = await provider.transfer(order());
    expect(r).toMatchObject({ status: 'FAILED', reason: 'ACCOUNT_CLOSED' });
  });

  it('a pending transfer settles later and status tells', async () => {
    const { provider, control } = make();
    const o = order();
    control.behave('transfer', { kind: 'pending' });
    expect((await provider.transfer(o)).status).toBe('PENDING');
    control.settle(o.reference, 'FAILED', 'BANK_REJECTED');
    expect(await provider.status(o.reference)).toMatchObject({ status: 'FAILED', reason: 'BANK_REJECTED' });
  });

  it('a timeout is PROVIDER_TIMEOUT with the transfer made (unknown, not failed); a 5xx is PROVIDER_ERROR with nothing made; slow still answers', async () => {
    const { provider, control } = make();
    const o = order();
    control.behave('transfer', { kind: 'timeout' });
    await expect(provider.transfer(o)).rejects.toMatchObject({ code: 'PROVIDER_TIMEOUT', kind: 'timeout' });
    expect(control.transfer(o.reference)?.status).toBe('SUCCESS');
    expect((await provider.status(o.reference)).status).toBe('SUCCESS');
    const e = order();
    control.behave('transfer', { kind: 'error' });
    await expect(provider.transfer(e)).rejects.toMatchObject({ code: 'PROVIDER_ERROR' });
    expect(control.transfer(e.reference)).toBeNull();
    control.behave('transfer', { kind: 'slow', delayMs: 100 });
    expect((await provider.transfer(order())).status).toBe('SUCCESS');
  });
});

describe('the sandbox verifies signatures', () => {
  it('refuses a bad signature, another partner and a stale timestamp with 401', async () => {
    const body = JSON.stringify({ originalPartnerReferenceNo: 'PO-X', serviceCode: '18' });
    const post = (headers: Record<string, string>) =>
      fetch(sandbox.url + SNAP_TRANSFER_PATHS.status, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body }).then(
        (r) => r.status,
      );
    const ts = snapTimestamp();
    const good = {
      'x-timestamp': ts,
      'x-signature': signTransferRequest(DISBURSEMENT_SANDBOX_CREDENTIALS.clientSecret, SNAP_TRANSFER_PATHS.status, body, ts),
      'x-partner-id': DISBURSEMENT_SANDBOX_CREDENTIALS.partnerId,
      'x-external-id': '1',
    };
    expect(await post(good)).toBe(404); // authenticated; the transfer is unknown
    expect(await post({ ...good, 'x-signature': signTransferRequest('wrong-secret', SNAP_TRANSFER_PATHS.status, body, ts) })).toBe(401);
    expect(await post({ ...good, 'x-partner-id': 'someone-else' })).toBe(401);
    const old = snapTimestamp(new Date(Date.now() - 3600_000));
    expect(
      await post({
        ...good,
        'x-timestamp': old,
        'x-signature': signTransferRequest(DISBURSEMENT_SANDBOX_CREDENTIALS.clientSecret, SNAP_TRANSFER_PATHS.status, body, old),
      }),
    ).toBe(401);
  });
});

describe('one book of transfers serves the sandbox and the fake', () => {
  it('a transfer made over HTTP is the fake’s transfer too (same reference, no second transfer), and a switch set on the book applies to both fronts', async () => {
    const http = new SnapDisbursementProvider({ baseUrl: sandbox.url, ...DISBURSEMENT_SANDBOX_CREDENTIALS, call });
    const fake = new InMemoryDisbursementProvider({ control: sandbox.control });
    const o = order('2500.00');
    const sent = await http.transfer(o);
    const count = sandbox.control.transferCount();
    expect(await fake.transfer(o)).toEqual(sent);
    expect(await fake.status(o.reference)).toEqual(sent);
    expect(sandbox.control.transferCount()).toBe(count);
    await expect(fake.transfer({ ...o, amount: Money.parse('2500.01') })).rejects.toMatchObject({ code: 'PROVIDER_ERROR' });
    sandbox.control.behave('transfer', { kind: 'pending' });
    const p = order();
    expect((await fake.transfer(p)).status).toBe('PENDING');
    sandbox.control.settle(p.reference, 'SUCCESS');
    expect((await http.status(p.reference)).status).toBe('SUCCESS');
  });
});
