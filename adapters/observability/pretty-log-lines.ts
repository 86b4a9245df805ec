import type { DestinationStream } from 'pino';

/** pino's numeric levels, as a person reads them, with the colour of each. */
const Levels: Readonly<Record<number, { readonly label: string; readonly colour: string }>> = {
  10: { label: 'TRACE', colour: '\x1b[90m' },
  20: { label: 'DEBUG', colour: '\x1b[36m' },
  30: { label: 'INFO', colour: '\x1b[32m' },
  40: { label: 'WARN', colour: '\x1b[33m' },
  50: { label: 'ERROR', colour: '\x1b[31m' },
  60: { label: 'FATAL', colour: '\x1b[35m' },
};

const RESET = '\x1b[0m';
const DIM = '\x1b[2m';
const BOLD = '\x1b[1m';

/** Keys every line has and the pretty line shows in its own place (or, like pid and hostname, not at all). */
const PLACED = new Set(['level', 'time', 'name', 'msg', 'pid', 'hostname', 'err']);

const clock = (time: unknown): string => {
  const date = typeof time === 'number' ? new Date(time) : new Date();
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
};

const valueText = (value: unknown): string => (typeof value === 'string' && /^[^\s="]+$/.test(value) ? value : JSON.stringify(value));

/**
 * One JSON log line as a person at a terminal reads it: `12:04:05.123 INFO  meshwork: mesh ready key=value ...`,
 * the level in its colour when `colour`, an error's stack indented below. A line that is not JSON passes unchanged.
 */
export const formatLogLine = (line: string, colour: boolean): string => {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  const paint = (code: string, text: string) => (colour ? `${code}${text}${RESET}` : text);
  const level = Levels[Number(entry.level)] ?? { label: String(entry.level ?? 'LOG').toUpperCase(), colour: '' };
  const name = typeof entry.name === 'string' ? `${paint(DIM, `${entry.name}:`)} ` : '';
  const fields = Object.entries(entry)
    .filter(([key]) => !PLACED.has(key))
    .map(([key, value]) => `${paint(DIM, `${key}=`)}${valueText(value)}`);
  const message = typeof entry.msg === 'string' ? paint(BOLD, entry.msg) : '';
  const head = [paint(DIM, clock(entry.time)), paint(level.colour, level.label.padEnd(5)), `${name}${message}`, ...fields];
  const err = entry.err as { stack?: unknown; message?: unknown } | undefined;
  const stack = err === undefined ? '' : `\n${String(err.stack ?? err.message ?? JSON.stringify(err)).replace(/^/gm, '    ')}`;
  return `${head.filter((part) => part !== '').join(' ')}${stack}\n`;
};

/** A pino destination writing each line through `formatLogLine` to `out` (the process's stdout). */
export class PrettyLogDestination implements DestinationStream {
  constructor(
    private readonly out: { write(text: string): unknown },
    private readonly colour: boolean,
  ) {}

  write(line: string): void {
    this.out.write(formatLogLine(line, this.colour));
  }
}
