import { generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { JwtAccessTokenService } from '../../src/adapters/security/jwt-access-token.service.ts';
import { loadJwtKeys, thumbprint } from '../../src/adapters/security/jwt-keys.ts';
import { InMemoryKeyValueStore } from '../../src/adapters/memory/in-memory-key-value-store.ts';
import { revokedSessionKey } from '../../src/application/ports/access-token.ts';
import type { KeyValueStore } from '../../src/application/ports/key-value-store.ts';
import { loadConfig } from '../../src/entrypoints/shared/config.ts';

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const privatePem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const publicPem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
const config = loadConfig({ JWT_PRIVATE_KEY: privatePem });
const opts = { issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE, ttlSeconds: 900 };
const kv = new InMemoryKeyValueStore();
const service = new JwtAccessTokenService(loadJwtKeys(config), opts, kv);
const subject = { userId: 42, username: 'alice', role: 'USER' as const, sessionId: '0b4a3d52-5c1e-4f7e-9a55-3c2f1d0e9b11' };
const kid = thumbprint(publicKey);
const claims = { username: 'alice', role: 'USER', sid: subject.sessionId, typ: 'access' };
const signOpts = { algorithm: 'ES256' as const, keyid: kid, issuer: opts.issuer, audience: opts.audience, subject: '42', expiresIn: 900, jwtid: 'j1' };

describe('access tokens (ES256)', () => {
  it('issues a token that verifies, with every claim the contract names', async () => {
    const issued = service.issue(subject);
    const header = jwt.decode(issued.token, { complete: true })!.header;
    expect(header).toMatchObject({ alg: 'ES256', kid });
    const actor = await service.verify(issued.token);
    expect(actor).toMatchObject({ userId: 42, username: 'alice', role: 'USER', jti: issued.jti, sessionId: subject.sessionId });
    const payload = jwt.decode(issued.token) as jwt.JwtPayload;
    expect(payload).toMatchObject({ iss: opts.issuer, aud: opts.audience, sub: '42', typ: 'access' });
    expect(payload.exp! - payload.iat!).toBe(900);
  });

  it('verifies with only the public key (the payment and transaction services)', async () => {
    const verifier = new JwtAccessTokenService(loadJwtKeys(loadConfig({ JWT_PUBLIC_KEYS: publicPem })), opts, kv);
    expect((await verifier.verify(service.issue(subject).token)).userId).toBe(42);
    expect(() => verifier.issue(subject)).toThrow(/signing key/);
  });

  const attacks: [string, () => string][] = [
    ['alg none', () => jwt.sign(claims, '', { ...signOpts, algorithm: 'none' })],
    ['HS256 signed with the public key (key confusion)', () => jwt.sign(claims, publicPem, { ...signOpts, algorithm: 'HS256' })],
    ['another key pair with the same kid', () => jwt.sign(claims, generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey, signOpts)],
    ['wrong issuer', () => jwt.sign(claims, privateKey, { ...signOpts, issuer: 'evil' })],
    ['wrong audience', () => jwt.sign(claims, privateKey, { ...signOpts, audience: 'other-api' })],
    [
      'expired',
      () => {
        const { expiresIn: _e, ...rest } = signOpts;
        return jwt.sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 10 }, privateKey, rest);
      },
    ],
    ['typ refresh', () => jwt.sign({ ...claims, typ: 'refresh' }, privateKey, signOpts)],
    ['unknown kid', () => jwt.sign(claims, privateKey, { ...signOpts, keyid: 'nope' })],
    [
      'no kid',
      () => {
        const { keyid: _k, ...rest } = signOpts;
        return jwt.sign(claims, privateKey, rest);
      },
    ],
    ['bad role', () => jwt.sign({ ...claims, role: 'ROOT' }, privateKey, signOpts)],
    [
      'tampered payload',
      () => {
        const [h, , s] = service.issue(subject).token.split('.');
        const p = Buffer.from(JSON.stringify({ ...claims, sub: '1', role: 'ADMIN', iss: opts.issuer, aud: opts.audience, exp: 9999999999, jti: 'x' })).toString(
          'base64url',
        );
        return `${h}.${p}.${s}`;
      },
    ],
    ['garbage', () => 'not.a.jwt'],
  ];
  it.each(attacks)('refuses %s', async (_name, make) => {
    await expect(service.verify(make())).rejects.toMatchObject({ code: 'INVALID_TOKEN', kind: 'unauthenticated' });
  });

  it('refuses every token of a revoked session (logout, reuse), and only those', async () => {
    const sessionId = '5d2f6a0e-1b7c-4c3d-8e9f-0a1b2c3d4e5f';
    const first = service.issue({ ...subject, sessionId });
    const second = service.issue({ ...subject, sessionId });
    const other = service.issue(subject);
    await kv.set(revokedSessionKey(sessionId), 'LOGOUT', 900);
    await expect(service.verify(first.token)).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
    await expect(service.verify(second.token)).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
    await expect(service.verify(other.token)).resolves.toMatchObject({ sessionId: subject.sessionId });
  });

  it('a token verified once is still refused after its session is revoked, and once it expires', async () => {
    const sessionId = '7e1d2c3b-4a59-4f68-8b7a-6c5d4e3f2a10';
    const token = service.issue({ ...subject, sessionId }).token;
    // The signature is verified once and remembered; the revocation is read on every request.
    await expect(service.verify(token)).resolves.toMatchObject({ sessionId });
    await expect(service.verify(token)).resolves.toMatchObject({ sessionId });
    await kv.set(revokedSessionKey(sessionId), 'LOGOUT', 900);
    await expect(service.verify(token)).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
    // A remembered token past its exp is refused like any expired one.
    const { expiresIn: _e, ...rest } = signOpts;
    const shortLived = jwt.sign({ ...claims, exp: Math.floor(Date.now() / 1000) + 1 }, privateKey, rest);
    await expect(service.verify(shortLived)).resolves.toMatchObject({ userId: 42 });
    await new Promise((r) => setTimeout(r, 2100 - (Date.now() % 1000)));
    await expect(service.verify(shortLived)).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
    // A tampered copy of a remembered token is verified on its own (the cache is keyed by the exact text).
    const [h, p, sig] = token.split('.');
    await expect(service.verify(`${h}.${p}.${sig!.slice(0, -2)}AA`)).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
  });

  it('refuses a token without a session id (it could not be revoked with its session)', async () => {
    const { sid: _sid, ...withoutSession } = claims;
    await expect(service.verify(jwt.sign(withoutSession, privateKey, signOpts))).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
    await expect(service.verify(jwt.sign({ ...withoutSession, sid: '' }, privateKey, signOpts))).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
    await expect(service.verify(jwt.sign(claims, privateKey, signOpts))).resolves.toMatchObject({ userId: 42, sessionId: subject.sessionId });
  });

  it('fails closed with 503 when the deny list cannot be read', async () => {
    const broken = { get: () => Promise.reject(new Error('down')) } as unknown as KeyValueStore;
    const s = new JwtAccessTokenService(loadJwtKeys(config), opts, broken);
    await expect(s.verify(s.issue(subject).token)).rejects.toMatchObject({ kind: 'unavailable' });
  });

  it('publishes the public key as a JWKS without private parts', () => {
    const jwks = service.jwks();
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', kid, alg: 'ES256', use: 'sig' });
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });

  it('refuses a non-ES256 configured key', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(() => loadJwtKeys(loadConfig({ JWT_PRIVATE_KEY: rsa }))).toThrow(/ES256/);
  });
});
