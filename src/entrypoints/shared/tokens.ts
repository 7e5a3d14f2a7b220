/** Container identifiers of the shared infrastructure; each module declares its own next to its bindings. */
export const TOKENS = {
  Infrastructure: Symbol.for('Infrastructure'),
  Config: Symbol.for('Config'),
  Logger: Symbol.for('Logger'),
  Orm: Symbol.for('Orm'),
  KeyValueStore: Symbol.for('KeyValueStore'),
  EventBus: Symbol.for('EventBus'),
  /** JwtAccessTokenService: issues (where a signing key exists) and verifies access tokens. */
  AccessTokens: Symbol.for('AccessTokens'),
  /** CurrentRoles: the users' roles as PostgreSQL holds them now, for privileged routes. */
  CurrentRoles: Symbol.for('CurrentRoles'),
  /** PostgresIdempotencyStore: Idempotency-Key claims and stored responses. */
  IdempotencyStore: Symbol.for('IdempotencyStore'),
  /** OutboxRelay: publishes outbox_events to the event bus; `poke()` after a commit publishes sooner. */
  OutboxRelay: Symbol.for('OutboxRelay'),
  /** AuditTrail: the append-only audit trail (docs/SECURITY.md "Audit trail"). */
  AuditTrail: Symbol.for('AuditTrail'),
} as const;
