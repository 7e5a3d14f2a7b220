import { describe, expect, it } from 'vitest';
import { PostgresAuditLog } from '../../src/adapters/persistence/audit/postgres-audit-log.ts';
import { isolatedPaymentPlatform } from '../support/isolated-payment-platform.ts';
import { accessTokenFor } from '../support/tokens.ts';
import { balanceOf, createCustomer, createMerchant } from '../support/payment-fixtures.ts';
import { runAdminCli } from '../support/admin-cli.ts';

// The operator's freeze end to end: the CLI freezes (audited, --json), the API refuses what the
// freeze covers with 403 ACCOUNT_FROZEN and its facts in meta.details, the account view shows the
// freeze (level and time, never the reason), and limit refusals name the limit and what remains.
const env = isolatedPaymentPlatform('onegate_freeze_e2e');

const call = env.call;
const admin = (...args: string[]) => runAdminCli(args, { DATABASE_URL: env.db.url });

describe('freezes through the admin CLI and the API', { timeout: 300_000 }, () => {
  it('accounts freeze/unfreeze: audited, shown, and enforced over HTTP', async () => {
    const u = await createCustomer(env.p.infra.orm, { balance: '500000.00' });
    const r = await createCustomer(env.p.infra.orm);
    const token = accessTokenFor(env.p, { userId: u.userId, username: u.username, role: 'USER' });

    const bad = await admin('accounts', 'freeze', '--account', u.username, '--level', 'HALF', '--reason', 'x', '--json');
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.err)).toMatchObject({ error: 'INVALID_FREEZE' });

    const frozen = await admin(
      'accounts',
      'freeze',
      '--account',
      u.username,
      '--level',
      'DEBIT',
      '--reason',
      'AML alert 17',
      '--operator',
      'ops-rina',
      '--json',
    );
    expect(frozen.code).toBe(0);
    expect(JSON.parse(frozen.out)).toMatchObject({
      id: u.accountId,
      freeze: { level: 'DEBIT', reason: 'AML alert 17', frozen_by: 'cli:ops-rina' },
      previous_freeze: null,
    });
    const [event] = await new PostgresAuditLog(env.p.infra.orm).query({ action: 'accounts.freeze', objectId: u.accountId, limit: 5 });
    expect(event).toMatchObject({
      category: 'OPERATOR',
      actor: { type: 'operator', id: 'ops-rina' },
      before: { freeze: null },
      after: { freeze: { level: 'DEBIT', reason: 'AML alert 17' } },
    });
    expect((await admin('accounts', 'show', '--account', u.username)).out).toContain('FROZEN DEBIT (AML alert 17)');

    const view = await call('GET', '/api/payment/account', token);
    expect(view.body.data).toMatchObject({ freeze: { level: 'DEBIT' } });
    expect(JSON.stringify(view.body)).not.toContain('AML alert');

    const out = await call('POST', '/api/payment/transfers', token, { recipient: r.username, amount: '1000.00' });
    expect(out.status).toBe(403);
    expect(out.body.meta).toMatchObject({ error: 'ACCOUNT_FROZEN', details: { rule: 'freeze', level: 'DEBIT', side: 'payer', owner: 'customer' } });
    expect(JSON.stringify(out.body)).not.toContain('AML alert');
    expect(await balanceOf(env.p.infra.orm, u.accountId)).toBe('500000.00');
    // Credits still arrive under a DEBIT freeze.
    const rToken = accessTokenFor(env.p, { userId: r.userId, username: r.username, role: 'USER' });
    expect((await admin('accounts', 'credit', '--account', r.username, '--amount', '5000.00')).code).toBe(0);
    expect((await call('POST', '/api/payment/transfers', rToken, { recipient: u.username, amount: '1000.00' })).status).toBe(201);

    const lifted = await admin('accounts', 'unfreeze', '--account', u.username, '--operator', 'ops-rina', '--json');
    expect(JSON.parse(lifted.out)).toMatchObject({ freeze: null, previous_freeze: { level: 'DEBIT' } });
    expect(await new PostgresAuditLog(env.p.infra.orm).query({ action: 'accounts.unfreeze', objectId: u.accountId, limit: 5 })).toHaveLength(1);
    expect((await call('GET', '/api/payment/account', token)).body.data).toMatchObject({ freeze: null });
    expect((await call('POST', '/api/payment/transfers', token, { recipient: r.username, amount: '1000.00' })).status).toBe(201);
    const again = await admin('accounts', 'unfreeze', '--account', u.username, '--json');
    expect(JSON.parse(again.err)).toMatchObject({ error: 'ACCOUNT_NOT_FROZEN' });
  });

  it('merchants freeze: payments to a CREDIT-frozen merchant are refused (403 ACCOUNT_FROZEN), nothing moves', async () => {
    const u = await createCustomer(env.p.infra.orm, { balance: '100000.00' });
    const shop = await createMerchant(env.p.infra.orm);
    const token = accessTokenFor(env.p, { userId: u.userId, username: u.username, role: 'USER' });
    const frozen = await admin('merchants', 'freeze', '--merchant', shop.code, '--level', 'CREDIT', '--reason', 'chargebacks', '--json');
    expect(JSON.parse(frozen.out)).toMatchObject({ code: shop.code, freeze: { level: 'CREDIT', reason: 'chargebacks' } });
    const paid = await call('POST', '/api/payment/payments', token, { amount: '10000.00', merchant_id: shop.code });
    expect(paid.status).toBe(403);
    expect(paid.body.meta).toMatchObject({ error: 'ACCOUNT_FROZEN', details: { level: 'CREDIT', side: 'payee', owner: 'merchant' } });
    expect(await balanceOf(env.p.infra.orm, u.accountId)).toBe('100000.00');
    expect(await new PostgresAuditLog(env.p.infra.orm).query({ action: 'merchants.freeze', objectId: shop.code, limit: 5 })).toHaveLength(1);
    await admin('merchants', 'unfreeze', '--merchant', shop.code);
    expect((await call('POST', '/api/payment/payments', token, { amount: '10000.00', merchant_id: shop.code })).status).toBe(201);
  });

  it('a limit refusal names the limit and what remains in meta.details', async () => {
    const small = await createCustomer(env.p.infra.orm, { tier: 'UNREGISTERED', balance: '1900000.00' });
    const sender = await createCustomer(env.p.infra.orm, { balance: '500000.00' });
    const token = accessTokenFor(env.p, { userId: sender.userId, username: sender.username, role: 'USER' });
    const t = await call('POST', '/api/payment/transfers', token, { recipient: small.username, amount: '200000.00' });
    expect(t.status).toBe(422);
    expect(t.body.meta).toMatchObject({
      error: 'BALANCE_LIMIT_EXCEEDED',
      details: { rule: 'balance_limit', tier: 'UNREGISTERED', limit: '2000000.00', remaining: '100000.00' },
    });
    const poor = await createCustomer(env.p.infra.orm, { tier: 'UNREGISTERED', balance: '1000.00' });
    const k = await call('POST', '/api/payment/transfers', accessTokenFor(env.p, { userId: poor.userId, username: poor.username, role: 'USER' }), {
      recipient: sender.username,
      amount: '500.00',
    });
    expect(k.body.meta).toMatchObject({ error: 'KYC_REQUIRED', details: { rule: 'transfers_to_others', tier: 'UNREGISTERED', required_tier: 'REGISTERED' } });
  });
});
