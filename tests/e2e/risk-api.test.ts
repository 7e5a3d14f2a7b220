import { describe, expect, it } from 'vitest';
import { paymentRuntime } from '../support/payment-runtime.ts';
import { isolatedPaymentPlatform } from '../support/isolated-payment-platform.ts';
import { accessTokenFor } from '../support/tokens.ts';
import { balanceOf, createCustomer, createMerchant } from '../support/payment-fixtures.ts';
import { runAdminCli } from '../support/admin-cli.ts';

// The rules are one table per database: a database of its own, so switching them on cannot hold other suites' movements.
const env = isolatedPaymentPlatform('onegate_risk_api', { seed: (p) => createMerchant(p.infra.orm, { code: 'RISK-SHOP' }) });

const admin = (...args: string[]) => runAdminCli([...args, '--json'], { DATABASE_URL: env.db.url });
const call = env.call;
const errorOf = (b: { meta: { error?: string; code: string } }) => b.meta.error ?? b.meta.code;

describe('fraud rules over HTTP and the operator CLI', { timeout: 180_000 }, () => {
  it('rules set by the CLI (audited); REVIEW answers 202 PENDING, a case approved once; BLOCK answers 422 RISK_BLOCKED and moves nothing', async () => {
    const u = await createCustomer(env.p.infra.orm, { balance: '100000.00' });
    const r = await createCustomer(env.p.infra.orm);
    const token = accessTokenFor(env.p, { userId: u.userId, username: u.username, role: 'USER' });

    const listed = await admin('risk', 'rules', 'list');
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.out) as { code: string; enabled: boolean }[]).map((x) => [x.code, x.enabled])).toEqual([
      ['EWALLET_OTHER_PHONE', false],
      ['MULE_INBOUND', false],
      ['NEW_COUNTERPARTY', false],
      ['VELOCITY', false],
    ]);
    const wrong = await admin('risk', 'rules', 'set', '--rule', 'VELOCITY', '--min-amount', '10.00');
    expect(wrong.code).toBe(2);
    const set = await admin(
      'risk',
      'rules',
      'set',
      '--rule',
      'NEW_COUNTERPARTY',
      '--enabled',
      'true',
      '--outcome',
      'REVIEW',
      '--min-amount',
      '5000.00',
      '--operator',
      'rina',
    );
    expect(set.code).toBe(0);
    expect(JSON.parse(set.out)).toMatchObject({ code: 'NEW_COUNTERPARTY', enabled: true, outcome: 'REVIEW', params: { minAmount: '500000' } });
    const [audited] = (await env.p.infra.orm.em.getConnection().execute(`select count(*)::int as n from audit_events where action = 'risk.rules.set'`)) as [
      { n: number },
    ];
    expect(audited.n).toBe(1);

    // REVIEW: 202 with the PENDING row; the recipient has nothing yet.
    const held = await call('POST', '/api/payment/transfers', token, { recipient: r.username, amount: '6000.00' });
    expect(held.status).toBe(202);
    expect(held.body.data).toMatchObject({ transaction_status: 'PENDING', amount: '6000.00' });
    expect(await balanceOf(env.p.infra.orm, u.accountId)).toBe('94000.00');
    expect(await balanceOf(env.p.infra.orm, r.accountId)).toBe('0.00');
    const heldPayment = await call('POST', '/api/payment/payments', token, { amount: '7000.00', merchant_id: 'RISK-SHOP' });
    expect(heldPayment.status).toBe(202);
    expect(heldPayment.body.data).toMatchObject({ transaction_status: 'PENDING' });

    const cases = JSON.parse((await admin('risk', 'cases', 'list')).out) as { id: string; transaction_id: string; rules: string[] }[];
    const c = cases.find((x) => x.transaction_id === held.body.data!.transaction_id)!;
    expect(c.rules).toEqual(['NEW_COUNTERPARTY']);
    const shown = JSON.parse((await admin('risk', 'cases', 'show', '--case', c.id)).out) as { hits: { figures: Record<string, unknown> }[] };
    expect(shown.hits[0]!.figures).toMatchObject({ counterparty_account_id: r.accountId, amount_minor: '600000', min_amount_minor: '500000' });
    const [approved, again] = await Promise.all([
      admin('risk', 'cases', 'approve', '--case', c.id, '--operator', 'rina'),
      admin('risk', 'cases', 'reject', '--case', c.id, '--operator', 'budi'),
    ]);
    const outs = [JSON.parse(approved.out), JSON.parse(again.out)] as { decided_now: boolean; status: string }[];
    expect(outs.filter((o) => o.decided_now)).toHaveLength(1);
    const final = outs.find((o) => o.decided_now)!.status;
    expect(await balanceOf(env.p.infra.orm, r.accountId)).toBe(final === 'APPROVED' ? '6000.00' : '0.00');
    const tx = await call('GET', `/api/payment/transactions/${String(held.body.data!.transaction_id)}`, token);
    expect(tx.body.data).toMatchObject({ transaction_status: final === 'APPROVED' ? 'SUCCESS' : 'FAILED' });

    // BLOCK: 422 RISK_BLOCKED, nothing that helps an attacker, nothing moves.
    expect((await admin('risk', 'rules', 'set', '--rule', 'NEW_COUNTERPARTY', '--outcome', 'BLOCK')).code).toBe(0);
    const r2 = await createCustomer(env.p.infra.orm);
    const before = await balanceOf(env.p.infra.orm, u.accountId);
    const blocked = await call('POST', '/api/payment/transfers', token, { recipient: r2.username, amount: '5000.00' });
    expect(blocked.status).toBe(422);
    expect(errorOf(blocked.body)).toBe('RISK_BLOCKED');
    expect(JSON.stringify(blocked.body)).not.toMatch(/NEW_COUNTERPARTY|5000|counterparty/i);
    expect(await balanceOf(env.p.infra.orm, u.accountId)).toBe(before);
    // ALLOW: below the amount.
    expect((await call('POST', '/api/payment/transfers', token, { recipient: r2.username, amount: '4999.99' })).status).toBe(201);

    // A top-up of someone else's e-wallet above the amount: blocked.
    expect((await admin('risk', 'rules', 'set', '--rule', 'EWALLET_OTHER_PHONE', '--enabled', 'true', '--min-amount', '10000.00')).code).toBe(0);
    const sandboxes = paymentRuntime(env.p.container).sandboxes!;
    sandboxes.gopay.control.registerWallet(r.phone, { name: 'Someone Else' });
    const topUp = await call('POST', '/api/payment/wallet/topup', token, { amount: '10000.00', payment_method: 'GOPAY', phone_number: r.phone });
    expect(topUp.status).toBe(422);
    expect(JSON.stringify(topUp.body.meta)).toContain('RISK_BLOCKED');

    // The pending payment is still held; reject it: the money returns.
    const pay = JSON.parse((await admin('risk', 'cases', 'list')).out) as { id: string; transaction_id: string }[];
    const pc = pay.find((x) => x.transaction_id === heldPayment.body.data!.transaction_id)!;
    const balanceBefore = await balanceOf(env.p.infra.orm, u.accountId);
    const rejected = await admin('risk', 'cases', 'reject', '--case', pc.id, '--reason', 'not confirmed');
    expect(JSON.parse(rejected.out)).toMatchObject({ decided_now: true, status: 'REJECTED', release: { transaction_type: 'REFUND', amount: '7000.00' } });
    expect(BigInt((await balanceOf(env.p.infra.orm, u.accountId)).replace('.', ''))).toBe(BigInt(balanceBefore.replace('.', '')) + 700000n);
    const evals = (await env.p.infra.orm.em.getConnection().execute(`select outcome, count(*)::int as n from risk_evaluations group by 1 order by 1`)) as {
      outcome: string;
      n: number;
    }[];
    expect(evals).toEqual([
      { outcome: 'BLOCK', n: 2 },
      { outcome: 'REVIEW', n: 2 },
    ]);
  });
});
