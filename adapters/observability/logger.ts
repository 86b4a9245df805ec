import { pino, type DestinationStream, type Logger } from 'pino';
import { traceLogFields } from './trace-context-scope.js';

export type { Logger };

export const LogLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LogLevels)[number];

/**
 * The root logger: structured JSON lines on stdout (or `destination`). The level comes from the
 * configuration (`LOG_LEVEL`, read once in main); this module reads no environment. Lines written
 * inside a trace carry its `trace_id` and `span_id` (docs/adr/0019-trace-context-across-hops.md).
 */
export const createLogger = (name: string, level: LogLevel = 'info', destination?: DestinationStream): Logger => {
  const options = { name, level, mixin: traceLogFields };
  return destination ? pino(options, destination) : pino(options);
};
