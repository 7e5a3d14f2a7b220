import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadJwtKeys } from '../../src/adapters/security/jwt-keys.ts';
import { JwtAccessTokenService } from '../../src/adapters/security/jwt-access-token.service.ts';
import { InMemoryKeyValueStore } from '../../src/adapters/memory/in-memory-key-value-store.ts';
import { loadConfig } from '../../src/entrypoints/shared/config.ts';

// Found by the topology harness (issue 16): a replica whose first JWKS fetch failed answered valid
// tokens with 401 INVALID_TOKEN, and kept doing so for the 30 s refresh throttle.
describe('JWKS unreachable', () => {
  it('answers 503 TOKEN_KEYS_UNAVAILABLE, not 401, and verifies as soon as the JWKS answers', async () => {
    const pem = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const opts = { issuer: 'one-gate-payment', audience: 'one-gate-payment-api', ttlSeconds: 600 };
    const signer = new JwtAccessTokenService(loadJwtKeys(loadConfig({ JWT_PRIVATE_KEY: pem })), opts, new InMemoryKeyValueStore());
    let up = false;
    let fetches = 0;
    const server = createServer((_req, res) => {
      fetches++;
      if (!up) return void res.writeHead(503).end('no server available');
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(signer.jwks()));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
    const verifier = new JwtAccessTokenService(loadJwtKeys(loadConfig({ JWKS_URL: jwksUrl })), { ...opts, jwksUrl }, new InMemoryKeyValueStore());
    const { token } = signer.issue({ userId: 7, username: 'budi', role: 'USER', sessionId: randomUUID() });
    try {
      await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'TOKEN_KEYS_UNAVAILABLE', kind: 'unavailable' });
      // Concurrent requests share one fetch.
      const before = fetches;
      await Promise.allSettled([verifier.verify(token), verifier.verify(token), verifier.verify(token)]);
      expect(fetches - before).toBe(1);
      up = true;
      expect((await verifier.verify(token)).userId).toBe(7);
      // A token signed by a key the JWKS does not hold is still invalid (401), after a successful fetch.
      const other = new JwtAccessTokenService(
        loadJwtKeys(
          loadConfig({
            JWT_PRIVATE_KEY: generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
          }),
        ),
        opts,
        new InMemoryKeyValueStore(),
      );
      await expect(verifier.verify(other.issue({ userId: 8, username: 'x', role: 'USER', sessionId: randomUUID() }).token)).rejects.toMatchObject({
        code: 'INVALID_TOKEN',
      });
    } finally {
      server.close();
    }
  });
});
