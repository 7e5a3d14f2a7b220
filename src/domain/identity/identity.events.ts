/** Facts the identity context announces through the transactional outbox (topic `user-events`). */
export type IdentityEvent =
  | { type: 'user.registered'; key: string; payload: { user_id: number; username: string; account_id: string; registered_at: string } }
  | { type: 'user.logged_in'; key: string; payload: { user_id: number; session_id: string; client_ip: string; at: string } }
  | {
      type: 'user.login_failed';
      key: string;
      /** user_id is null when no user matched; the typed identifier is never recorded (it may be a mistyped password). */
      payload: { user_id: number | null; reason: 'UNKNOWN_USER' | 'WRONG_PASSWORD'; client_ip: string; at: string };
    };

/** Writes events that do not accompany another change (login outcomes) to the outbox. */
export interface IdentityEventLog {
  record(event: IdentityEvent): Promise<void>;
}

export const userRegistered = (userId: number, username: string, accountId: string, at: Date): IdentityEvent => ({
  type: 'user.registered',
  key: String(userId),
  payload: { user_id: userId, username, account_id: accountId, registered_at: at.toISOString() },
});

export const userLoggedIn = (userId: number, sessionId: string, clientIp: string, at: Date): IdentityEvent => ({
  type: 'user.logged_in',
  key: String(userId),
  payload: { user_id: userId, session_id: sessionId, client_ip: clientIp, at: at.toISOString() },
});

export const userLoginFailed = (userId: number | null, clientIp: string, at: Date): IdentityEvent => ({
  type: 'user.login_failed',
  key: userId === null ? 'unknown' : String(userId),
  payload: { user_id: userId, reason: userId === null ? 'UNKNOWN_USER' : 'WRONG_PASSWORD', client_ip: clientIp, at: at.toISOString() },
});
