import { pino, type DestinationStream, type Logger } from 'pino';
import { PrettyLogDestination } from './pretty-log-lines.js';
import { traceLogFields } from './trace-context-scope.js';

export type { Logger };

export const LogLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LogLevels)[number];

/** `auto`: pretty lines on a terminal, JSON lines otherwise. */
export const LogFormats = ['auto', 'json', 'pretty'] as const;
export type LogFormat = (typeof LogFormats)[number];

/**
 * Where the root logger writes for `format`: undefined (pino's own JSON on stdout) or a pretty
 * destination on `stdout`, coloured when it is a terminal.
 */
export const logDestinationFor = (
  format: LogFormat,
  stdout: { readonly isTTY?: boolean; write(text: string): unknown },
): DestinationStream | undefined => {
  const terminal = stdout.isTTY === true;
  const pretty = format === 'pretty' || (format === 'auto' && terminal);
  return pretty ? new PrettyLogDestination(stdout, terminal) : undefined;
};

/**
 * The root logger: structured JSON lines on stdout (or `destination`, e.g. `logDestinationFor`). The level comes from the
 * configuration (`LOG_LEVEL`, read once in main); this module reads no environment. Lines written
 * inside a trace carry its `trace_id` and `span_id` (docs/adr/0019-trace-context-across-hops.md).
 */
export const createLogger = (name: string, level: LogLevel = 'info', destination?: DestinationStream): Logger => {
  const options = { name, level, mixin: traceLogFields };
  return destination ? pino(options, destination) : pino(options);
};
