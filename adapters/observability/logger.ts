import { pino, type DestinationStream, type Logger } from 'pino';
import { traceLogFields } from './trace-context-scope.js';

export type { Logger };

/**
 * The root logger: structured JSON lines on stdout (or `destination`). `LOG_LEVEL` sets the level
 * (default `info`; tests run with `silent` unless they set it). Lines written inside a trace carry
 * its `trace_id` and `span_id` (docs/adr/0019-trace-context-across-hops.md).
 */
export const createLogger = (
  name: string,
  level: string = process.env.LOG_LEVEL ?? defaultLevel(),
  destination?: DestinationStream,
): Logger => {
  const options = { name, level, mixin: traceLogFields };
  return destination ? pino(options, destination) : pino(options);
};

const defaultLevel = (): string => (process.env.VITEST ? 'silent' : 'info');
