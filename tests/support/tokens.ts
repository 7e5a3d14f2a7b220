import { randomUUID } from 'node:crypto';
import type { JwtAccessTokenService } from '../../src/adapters/security/jwt-access-token.service.ts';
import type { RunningPlatform } from '../../src/entrypoints/shared/platform.ts';
import { TOKENS } from '../../src/entrypoints/shared/tokens.ts';

/** An access token signed by the platform's own key (of a session of its own), for tests of services that only verify. */
export function accessTokenFor(platform: RunningPlatform, subject: { userId: number; username: string; role?: 'USER' | 'ADMIN'; sessionId?: string }): string {
  const svc = platform.container.get<JwtAccessTokenService>(TOKENS.AccessTokens);
  return svc.issue({ role: 'USER', sessionId: randomUUID(), ...subject }).token;
}
