import pino from 'pino';
import { activeTraceIds } from './tracing.ts';

export type Logger = pino.Logger;

/** Paths that must never reach a log line in full. */
const REDACT = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers["api-key"]',
  'headers.authorization',
  'headers["x-api-key"]',
  'apiKey',
  'api_key',
  'user_api_key',
  'token',
  'prompt',
  '*.prompt',
  '*.user_api_key',
  '*.token',
];

/** JSON logs to stderr (stdout belongs to JSON-RPC on stdio transports). */
export function createLogger(name: string, level = 'info'): Logger {
  return pino(
    {
      name,
      level,
      redact: { paths: REDACT, censor: '[redacted]' },
      base: { service: name },
      timestamp: pino.stdTimeFunctions.isoTime,
      // every line logged inside a span carries its trace and span ids
      mixin: () => activeTraceIds(),
    },
    pino.destination({ fd: 2, sync: false }),
  );
}

/** A logger that writes nothing (tests, benchmarks). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
