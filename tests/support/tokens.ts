import type { JwtAccessTokenService } from '../../src/adapters/security/jwt-access-token.service.ts';
import type { RunningPlatform } from '../../src/entrypoints/shared/platform.ts';
import { TOKENS } from '../../src/entrypoints/shared/tokens.ts';

/** An access token signed by the platform's own key, for tests of services that only verify. */
export function accessTokenFor(platform: RunningPlatform, subject: { userId: number; username: string; role?: 'USER' | 'ADMIN' }): string {
  const svc = platform.container.get<JwtAccessTokenService>(TOKENS.AccessTokens);
  return svc.issue({ role: 'USER', ...subject }).token;
}
