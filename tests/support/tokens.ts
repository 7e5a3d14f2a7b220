import { randomUUID } from 'node:crypto';
import type { RunningPlatform } from '../../src/entrypoints/shared/platform.ts';
import { CORE } from '../../src/entrypoints/composition/ids.ts';

/** An access token signed by the platform's own key (of a session of its own), for tests of services that only verify. */
export function accessTokenFor(platform: RunningPlatform, subject: { userId: number; username: string; role?: 'USER' | 'ADMIN'; sessionId?: string }): string {
  const svc = platform.container.get(CORE.AccessTokens);
  return svc.issue({ role: 'USER', sessionId: randomUUID(), ...subject }).token;
}
