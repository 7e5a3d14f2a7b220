/** Container identifiers of the shared infrastructure; each module declares its own next to its bindings. */
export const TOKENS = {
  Infrastructure: Symbol.for('Infrastructure'),
  Config: Symbol.for('Config'),
  Logger: Symbol.for('Logger'),
  Orm: Symbol.for('Orm'),
  KeyValueStore: Symbol.for('KeyValueStore'),
  EventBus: Symbol.for('EventBus'),
} as const;
