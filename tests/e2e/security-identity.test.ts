import { randomInt } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandboxes } from '../../src/adapters/ewallet/index.ts';
import { Argon2PasswordHasher } from '../../src/adapters/security/argon2-password-hasher.ts';
import { maskUsername } from '../../src/domain/wallet/recipient.ts';
import { authModule } from '../../src/entrypoints/auth/auth.module.ts';
import { createPaymentModule } from '../../src/entrypoints/payment/payment.module.ts';
import { paymentRuntime } from '../support/payment-runtime.ts';
import { startPlatform, type RunningPlatform } from '../../src/entrypoints/shared/platform.ts';
import { client, freshIp } from '../support/auth-http.ts';
import { createIsolatedDatabase } from '../support/isolated-database.ts';
import { balanceOf, createCustomer } from '../support/payment-fixtures.ts';
import { realServicesConfig, uniq } from '../support/services.ts';
import { accessTokenFor } from '../support/tokens.ts';

// Issue 10 item 1 and issue 11 item 3, against the real services: a phone number, in whatever form
// it is typed, only ever names that phone — never a look-alike username — at registration, login,
// transfer, recipient lookup and top-up. A database of its own: the victim's phone is the one from
// the issue, and the squatters are inserted straight into the users table.
const VICTIM_PHONE = '081222419751';
const VICTIM_FORMS = [
  '081222419751',
  '81222419751',
  '6281222419751',
  '+6281222419751',
  '0812-2241-9751',
  '0812.2241.9751',
  '(0812) 2241 9751',
  '+62 812 2241 9751',
];
const LOOKUPS_PER_HOUR = 14;
const PASSWORD = 'correct horse battery';

let db: Awaited<ReturnType<typeof createIsolatedDatabase>>;
let p: RunningPlatform;
let api: ReturnType<typeof client>;
let sandboxes: Sandboxes;
let victim: { id: number; username: string; accountId: string };
/** Pre-existing look-alike usernames of the victim's number, each with its own phone and password. */
let squatters: { id: number; phone: string; accountId: string }[];

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const tag = () => uniq('').slice(-10);
const randomNsn = () => `813${String(randomInt(0, 100_000_000)).padStart(8, '0')}`;

function register(body: { username: string; email?: string; phone: string; password?: string }) {
  return api<{ id: number; username: string; phone: string; account: { id: string } }>('POST', '/api/auth/register', {
    body: { email: `${uniq('id')}@example.com`, password: PASSWORD, ...body },
    headers: { 'x-forwarded-for': freshIp() },
  });
}

function login(identifier: string, password = PASSWORD) {
  return api<{ access_token: string }>('POST', '/api/auth/login', { body: { username: identifier, password }, headers: { 'x-forwarded-for': freshIp() } });
}

async function whoAmI(token: string): Promise<number> {
  const me = await api<{ id: number }>('GET', '/api/auth/me', { headers: bearer(token) });
  expect(me.status).toBe(200);
  return me.body.data.id;
}

/** A user with this username straight in the database, as registered before the look-alike rule. */
async function squatter(username: string, password: string): Promise<{ id: number; phone: string; accountId: string }> {
  const hash = await new Argon2PasswordHasher({ memoryKiB: 19456, iterations: 2, parallelism: 1 }).hash(password);
  const phone = `+62${randomNsn()}`;
  const conn = p.infra.orm.em.getConnection();
  const [u] = (await conn.execute(`insert into users (username, email, phone, password) values (?, ?, ?, ?) returning id`, [
    username,
    `${uniq('sq')}@example.com`,
    phone,
    hash,
  ])) as [{ id: number }];
  const [a] = (await conn.execute(`insert into accounts (user_id) values (?) returning id`, [u.id])) as [{ id: string }];
  return { id: u.id, phone, accountId: a.id };
}

async function sender(balance: string) {
  const c = await createCustomer(p.infra.orm, { balance });
  return { ...c, token: accessTokenFor(p, { userId: c.userId, username: c.username }) };
}

beforeAll(async () => {
  db = await createIsolatedDatabase('onegate_identity');
  p = await startPlatform({
    service: 'all-in-one',
    modules: [authModule, createPaymentModule({ reconciler: false })],
    config: realServicesConfig({ DATABASE_URL: db.url, RECIPIENT_LOOKUPS_PER_HOUR: String(LOOKUPS_PER_HOUR) }),
  });
  api = client(p);
  sandboxes = paymentRuntime(p.container).sandboxes!;
  sandboxes.setWebhookBaseUrl(`${p.url}/api/payment/webhooks`);
  const r = await register({ username: `victim_${tag()}`, phone: VICTIM_PHONE });
  expect(r.status).toBe(201);
  expect(r.body.data.phone).toBe('+6281222419751');
  victim = { id: r.body.data.id, username: r.body.data.username, accountId: r.body.data.account.id };
  squatters = await Promise.all(['081222419751', '81222419751', '6281222419751'].map((u) => squatter(u, 'squatter password')));
}, 60_000);
afterAll(async () => {
  await p?.stop();
  await db?.drop();
});

describe("the reproduction: a look-alike username for the victim's phone 081222419751", () => {
  it('is refused at registration in every form of the number, and as an email or a name without letters (400 USERNAME_LOOKS_LIKE_PHONE_OR_EMAIL)', async () => {
    for (const username of [...VICTIM_FORMS, 'victim@example.com', `${tag()}@x.co`, '12345', '0812224197']) {
      const r = await register({ username, phone: `0${randomNsn()}` });
      expect(r.status, username).toBe(400);
      expect(r.body.meta.error, username).toBe('USERNAME_LOOKS_LIKE_PHONE_OR_EMAIL');
      expect(
        r.body.meta.errors?.map((e) => e.field),
        username,
      ).toEqual(['username']);
    }
    // Alongside other problems, the look-alike is listed with them (every field at once).
    const several = await register({ username: VICTIM_PHONE, phone: '12345', password: 'short' });
    expect([several.status, several.body.meta.error]).toEqual([400, 'VALIDATION_ERROR']);
    expect(several.body.meta.errors?.map((e) => e.field).sort()).toEqual(['password', 'phone', 'username']);
    // Nothing was created: the only users with such names are the squatters inserted before the rule.
    const rows = (await p.infra.orm.em
      .getConnection()
      .execute(`select id from users where username in (${VICTIM_FORMS.map(() => '?').join(', ')}) order by id`, VICTIM_FORMS)) as { id: number }[];
    expect(rows.map((r) => r.id)).toEqual(squatters.map((s) => s.id).sort((a, b) => a - b));
  });

  it("a look-alike that already exists (inserted in the database) captures neither the transfers nor the victim's login", async () => {
    const alice = await sender('100000.00');
    const before = await balanceOf(p.infra.orm, victim.accountId);
    for (const recipient of VICTIM_FORMS) {
      const r = await api<{ transaction_type: string; metadata: Record<string, string>; recipient: Record<string, string> }>('POST', '/api/payment/transfers', {
        headers: bearer(alice.token),
        body: { recipient, amount: '10000.00' },
      });
      expect(r.status, recipient).toBe(201);
      // The sender sees whom it paid — masked — and it is the phone's owner.
      expect(r.body.data.recipient).toEqual({ account_id: victim.accountId, username: maskUsername(victim.username), phone: '+62812****9751' });
      expect(r.body.data.metadata).toMatchObject({
        direction: 'OUT',
        counterparty_account_id: victim.accountId,
        counterparty_username: maskUsername(victim.username),
        counterparty_phone: '+62812****9751',
      });
    }
    expect(await balanceOf(p.infra.orm, victim.accountId)).toBe((Number(before) + 80000).toFixed(2));
    for (const s of squatters) expect(await balanceOf(p.infra.orm, s.accountId)).toBe('0.00');

    // The victim logs in with their own number, typed any way; the squatter's password on it fails.
    for (const form of VICTIM_FORMS) {
      const r = await login(form);
      expect(r.status, form).toBe(200);
      expect(await whoAmI(r.body.data.access_token)).toBe(victim.id);
    }
    expect((await login('081222419751', 'squatter password')).status).toBe(401);
    // The squatter keeps their account: they log in with their own phone.
    const own = await login(squatters[0]!.phone.replace('+62', '0'), 'squatter password');
    expect(own.status).toBe(200);
    expect(await whoAmI(own.body.data.access_token)).toBe(squatters[0]!.id);
  });

  it('a replayed transfer (same Idempotency-Key) answers the same masked recipient and pays once', async () => {
    const bob = await sender('50000.00');
    const headers = { ...bearer(bob.token), 'idempotency-key': `idem-${bob.username}` };
    const first = await api<{ transaction_id: string; recipient: unknown }>('POST', '/api/payment/transfers', {
      headers,
      body: { recipient: '81222419751', amount: '20000.00' },
    });
    const replay = await api<{ transaction_id: string; recipient: unknown }>('POST', '/api/payment/transfers', {
      headers,
      body: { recipient: '81222419751', amount: '20000.00' },
    });
    expect([first.status, replay.status]).toEqual([201, 201]);
    expect(replay.body.data).toEqual(first.body.data);
    expect(replay.body.data.recipient).toEqual({ account_id: victim.accountId, username: maskUsername(victim.username), phone: '+62812****9751' });
    expect(await balanceOf(p.infra.orm, bob.accountId)).toBe('30000.00');
  });
});

describe('phone numbers in the form people type (8…, 08…, 628…, +628…, separators)', () => {
  const formsOf = (nsn: string) => {
    const [a, b, c] = [nsn.slice(0, 3), nsn.slice(3, 7), nsn.slice(7)];
    return [nsn, `0${nsn}`, `62${nsn}`, `+62${nsn}`, `+62 ${a}-${b}-${c}`, `(0${a}) ${b}.${c}`];
  };

  it('registers with each form, stored as +628…, and logs in with every other form', async () => {
    const users: { nsn: string; id: number }[] = [];
    for (let i = 0; i < formsOf('').length; i++) {
      const nsn = randomNsn();
      const typed = formsOf(nsn)[i]!;
      const r = await register({ username: `form_${tag()}`, phone: typed });
      expect(r.status, typed).toBe(201);
      expect(r.body.data.phone).toBe(`+62${nsn}`);
      users.push({ nsn, id: r.body.data.id });
    }
    const first = users[0]!;
    for (const form of formsOf(first.nsn)) {
      const r = await login(form);
      expect(r.status, form).toBe(200);
      expect(await whoAmI(r.body.data.access_token)).toBe(first.id);
    }
  });

  it('tops up the e-wallet of a phone typed in each form', async () => {
    const carol = await sender('100000.00');
    const nsn = randomNsn();
    sandboxes.gopay.control.registerWallet(`+62${nsn}`, { name: 'Forms' });
    for (const phone of formsOf(nsn)) {
      const r = await api<{ transaction_status: string; metadata: Record<string, string> }>('POST', '/api/payment/wallet/topup', {
        headers: bearer(carol.token),
        body: { amount: '10000.00', payment_method: 'GOPAY', phone_number: phone },
      });
      expect(r.status, phone).toBe(201);
      expect(r.body.data.metadata.ewallet_phone).toBe(`+62${nsn.slice(0, 3)}****${nsn.slice(-4)}`);
    }
    expect(sandboxes.gopay.control.wallet(`+62${nsn}`)!.balance.toString()).toBe('60000.00');
    expect(await balanceOf(p.infra.orm, carol.accountId)).toBe('40000.00');
  });

  it('refuses what is not an Indonesian mobile number, with the accepted forms in the message', async () => {
    for (const phone of ['12345', '0212345678', '+15551234567', '08123', '0802345678']) {
      const r = await register({ username: `bad_${tag()}`, phone });
      expect(r.status, phone).toBe(400);
      expect(r.body.meta.errors?.find((e) => e.field === 'phone')?.message).toContain('8…, 08…, 628… or +628…');
    }
  });
});

describe('POST /api/payment/recipients/lookup: whom a transfer would pay, before paying', () => {
  const lookup = (token: string | null, identifier: unknown) =>
    api<Record<string, string>>('POST', '/api/payment/recipients/lookup', { headers: token ? bearer(token) : {}, body: { identifier } });

  it('answers the masked identity a transfer would pay, for every form of the number, never a look-alike', async () => {
    const dave = await sender('0.00');
    for (const identifier of VICTIM_FORMS.slice(0, 6)) {
      const r = await lookup(dave.token, identifier);
      expect(r.status, identifier).toBe(200);
      expect(r.body.data).toEqual({ account_id: victim.accountId, username: maskUsername(victim.username), phone: '+62812****9751' });
      expect(r.headers.get('cache-control')).toBe('no-store');
      expect(JSON.stringify(r.body)).not.toContain(victim.username);
    }
    expect((await lookup(dave.token, victim.username.toUpperCase())).body.data.account_id).toBe(victim.accountId);
    expect((await lookup(dave.token, victim.accountId)).body.data.account_id).toBe(victim.accountId);
    const unknown = await lookup(dave.token, `0${randomNsn()}`);
    expect([unknown.status, unknown.body.meta.error]).toEqual([404, 'RECIPIENT_NOT_FOUND']);
    // An email names nobody as a recipient (and never a username).
    expect((await lookup(dave.token, 'someone@example.com')).status).toBe(404);
    const self = await lookup(dave.token, dave.phone);
    expect([self.status, self.body.meta.error]).toEqual([400, 'SELF_TRANSFER']);
  });

  it('needs an access token, and validates its body', async () => {
    expect((await lookup(null, VICTIM_PHONE)).status).toBe(401);
    const erin = await sender('0.00');
    expect((await lookup(erin.token, '')).status).toBe(400);
    expect((await lookup(erin.token, 12345)).status).toBe(400);
  });

  it(`is limited to RECIPIENT_LOOKUPS_PER_HOUR (${LOOKUPS_PER_HOUR}) per user: then 429 with Retry-After, other users unaffected`, async () => {
    const frank = await sender('0.00');
    for (let i = 0; i < LOOKUPS_PER_HOUR; i++) expect((await lookup(frank.token, `0${randomNsn()}`)).status).toBe(404);
    const over = await lookup(frank.token, VICTIM_PHONE);
    expect([over.status, over.body.meta.error]).toEqual([429, 'TOO_MANY_RECIPIENT_LOOKUPS']);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    const grace = await sender('0.00');
    expect((await lookup(grace.token, VICTIM_PHONE)).status).toBe(200);
  });
});

describe('the class, searched: whatever the phone parser accepts or looks like an email is never a username', () => {
  const separator = fc.constantFrom('', ' ', '-', '.', '(', ')');
  const typedPhone = fc
    .tuple(
      fc.constantFrom('', '0', '62', '+62'),
      fc.integer({ min: 1, max: 9 }),
      fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 7, maxLength: 10 }),
      fc.array(separator, { minLength: 12, maxLength: 12 }),
    )
    .map(([prefix, op, rest, seps]) => prefix + ['8', String(op), ...rest.map(String)].map((d, i) => d + seps[i]!).join(''));

  it('registration refuses each generated phone form or email as a username (400 USERNAME_LOOKS_LIKE_PHONE_OR_EMAIL), creating nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          typedPhone,
          fc.emailAddress().filter((e) => e.length <= 255),
        ),
        async (username) => {
          const r = await register({ username, phone: `0${randomNsn()}` });
          expect(r.status, username).toBe(400);
          expect(r.body.meta.error, username).toBe('USERNAME_LOOKS_LIKE_PHONE_OR_EMAIL');
        },
      ),
      { numRuns: 40 },
    );
  });
});
