import { pino, type Logger } from 'pino';
import { traceContextMixin } from '../observability/log-correlation.ts';

/** Paths pino censors in every log line: secrets never reach the logs. */
export const REDACT_PATHS = [
  'password',
  '*.password',
  'token',
  '*.token',
  'access_token',
  '*.access_token',
  'refresh_token',
  '*.refresh_token',
  'api_key',
  '*.api_key',
  'apiKey',
  '*.apiKey',
  'secret',
  '*.secret',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'headers.cookie',
  'headers["x-api-key"]',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
];

export function createLogger(service: string, level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      name: service,
      level,
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      base: { service },
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin: traceContextMixin,
    },
    destination as pino.DestinationStream | undefined,
  );
}
