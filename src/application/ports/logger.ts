/**
 * What use cases and workers need of a logger: a structured record and a message. pino's Logger
 * satisfies it as it is, so the adapters pass their logger in unchanged; the application layer
 * never names the library.
 */
export type LogFn = (fields: Record<string, unknown>, message: string) => void;

export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}
