import { ContainerModule } from 'inversify';
import type { Config } from '../shared/config.ts';
import { CORE } from './ids.ts';
import { recordSignerKey } from '../shared/audit.ts';
import { loadJwtKeys } from '../../adapters/security/jwt-keys.ts';
import { JwtAccessTokenService } from '../../adapters/security/jwt-access-token.service.ts';
import { Argon2PasswordHasher } from '../../adapters/security/argon2-password-hasher.ts';

export const argon2Params = (config: Config) => ({
  memoryKiB: config.ARGON2_MEMORY_KIB,
  iterations: config.ARGON2_ITERATIONS,
  parallelism: config.ARGON2_PARALLELISM,
});

/**
 * The security adapter group: the JWT keys and access tokens (verified by every service, issued
 * where a signing key exists), the password hasher, and the audit event of the signer's key.
 */
export function securityModule(): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(CORE.JwtKeys).toDynamicValue((c) => loadJwtKeys(c.get(CORE.Config)));
    bind(CORE.AccessTokens).toDynamicValue((c) => {
      const config = c.get(CORE.Config);
      return new JwtAccessTokenService(
        c.get(CORE.JwtKeys),
        { issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE, ttlSeconds: config.ACCESS_TOKEN_TTL_SECONDS, jwksUrl: config.JWKS_URL },
        c.get(CORE.KeyValueStore),
      );
    });
    bind(CORE.PasswordHasher).toDynamicValue((c) => new Argon2PasswordHasher(argon2Params(c.get(CORE.Config))));
    // A configuration change the platform can see, once the audit tables exist (workers start then).
    bind(CORE.Workers).toDynamicValue((c) => {
      const signing = c.get(CORE.JwtKeys).signing;
      const audit = c.get(CORE.AuditTrail);
      const service = c.get(CORE.Service);
      return {
        name: 'signer key audit',
        start: async () => {
          if (signing) await recordSignerKey(audit, signing.kid, service);
        },
        stop: () => {},
      };
    });
  });
}
