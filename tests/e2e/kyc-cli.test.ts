import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrm, type Orm } from '../../src/adapters/persistence/orm.ts';
import { AesGcmIdentityCipher } from '../../src/adapters/security/aes-gcm-identity-cipher.ts';
import { requireEnv } from '../support/services.ts';
import { createCustomer } from '../support/payment-fixtures.ts';
import { runAdminCli } from '../support/admin-cli.ts';

const KEY = randomBytes(32).toString('base64');
let orm: Orm;
beforeAll(async () => {
  orm = await createOrm({ url: requireEnv('TEST_DATABASE_URL'), poolMax: 2 });
});
afterAll(() => orm.close(true));

const admin = (extraEnv: Record<string, string>, ...args: string[]) => runAdminCli(args, extraEnv);

describe('admin CLI: accounts verify (KYC)', { timeout: 120_000 }, () => {
  it('registers an account with its identity sealed at rest, shown masked, verified once', async () => {
    const c = await createCustomer(orm, { tier: 'UNREGISTERED' });
    const [fresh] = (await orm.em.getConnection().execute(`select kyc_tier from accounts where id = ?`, [c.accountId])) as [{ kyc_tier: string }];
    expect(fresh.kyc_tier).toBe('UNREGISTERED');

    const bad = await admin({ KYC_ENCRYPTION_KEY: KEY }, 'accounts', 'verify', '--account', c.username, '--id-type', 'KTP', '--id-number', '123', '--json');
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.err)).toMatchObject({ error: 'INVALID_IDENTITY' });

    const ok = await admin(
      { KYC_ENCRYPTION_KEY: KEY },
      'accounts',
      'verify',
      '--account',
      c.phone,
      '--id-type',
      'KTP',
      '--id-number',
      '3174051234567890',
      '--name',
      'Budi Santoso',
      '--operator',
      'rina',
      '--json',
    );
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({
      id: c.accountId,
      kyc_tier: 'REGISTERED',
      previous_kyc_tier: 'UNREGISTERED',
      identity: { id_number: '************7890' },
    });
    expect(ok.out).not.toContain('3174051234567890');

    // At rest: sealed under the configured key, which is nowhere in the database.
    const [row] = (await orm.em.getConnection().execute(`select * from account_identities where account_id = ?`, [c.accountId])) as [Record<string, string>];
    expect(JSON.stringify(row)).not.toContain('3174051234567890');
    expect(JSON.stringify(row)).not.toContain('Budi');
    expect(row).toMatchObject({ id_type: 'KTP', id_number_masked: '************7890', verified_by: 'cli:rina' });
    const cipher = AesGcmIdentityCipher.fromConfig(KEY);
    expect(cipher.decrypt(row.id_number_sealed!)).toBe('3174051234567890');
    expect(cipher.decrypt(row.name_sealed!)).toBe('Budi Santoso');

    const shown = await admin({}, 'accounts', 'show', '--account', c.username);
    expect(shown.out).toContain('REGISTERED');
    expect(shown.out).toContain('************7890');
    expect(shown.out).not.toContain('3174051234567890');

    const again = await admin(
      { KYC_ENCRYPTION_KEY: KEY },
      'accounts',
      'verify',
      '--account',
      c.username,
      '--id-type',
      'KTP',
      '--id-number',
      '3174051234567891',
      '--json',
    );
    expect(again.code).toBe(2);
    expect(JSON.parse(again.err)).toMatchObject({ error: 'ACCOUNT_ALREADY_REGISTERED' });
    expect(
      cipher.decrypt(
        (
          (await orm.em.getConnection().execute(`select id_number_sealed from account_identities where account_id = ?`, [c.accountId])) as [
            { id_number_sealed: string },
          ]
        )[0].id_number_sealed,
      ),
    ).toBe('3174051234567890');
  });
});
