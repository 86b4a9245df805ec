import { describe, expect, it } from 'vitest';
import { createLogger, logDestinationFor } from './logger.js';
import { formatLogLine, PrettyLogDestination } from './pretty-log-lines.js';

const sink = (isTTY: boolean) => {
  const lines: string[] = [];
  return { isTTY, lines, write: (text: string) => lines.push(text) };
};

const ESC = '\x1b[';

describe('pretty log lines', () => {
  it('renders a pino line with the level in colour, the time, the name, the message and the other keys', () => {
    const out = sink(true);
    const logger = createLogger('meshwork', 'info', new PrettyLogDestination(out, true));
    logger.warn({ service: 'auth', ports: [9000, 9001], note: 'two words' }, 'pool at its maximum');
    expect(out.lines).toHaveLength(1);
    const line = out.lines[0]!;
    expect(line).toContain(`${ESC}33mWARN `);
    expect(line).toMatch(/^\x1b\[2m\d\d:\d\d:\d\d\.\d{3}\x1b\[0m /);
    const plain = line.replaceAll(/\x1b\[\d+m/g, '');
    expect(plain).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} WARN  meshwork: pool at its maximum service=auth ports=\[9000,9001\] note="two words"\n$/,
    );
    expect(plain).not.toContain('pid=');
    expect(plain).not.toContain('hostname=');
  });

  it('colours each level differently and writes no escape codes without colour', () => {
    const line = (level: number, colour: boolean) => formatLogLine(JSON.stringify({ level, time: 0, name: 'n', msg: 'm' }), colour);
    expect(new Set([10, 20, 30, 40, 50, 60].map((level) => line(level, true).slice(0, 40))).size).toBe(6);
    expect(line(50, true)).toContain(`${ESC}31mERROR`);
    expect(line(50, false)).not.toContain('\x1b');
    expect(line(50, false)).toContain('ERROR n: m');
  });

  it("indents an error's stack below the line", () => {
    const out = sink(false);
    createLogger('meshwork', 'info', new PrettyLogDestination(out, false)).error({ err: new Error('boom') }, 'the mesh failed to start');
    const [head, ...stack] = out.lines[0]!.trimEnd().split('\n');
    expect(head).toMatch(/ERROR meshwork: the mesh failed to start$/);
    expect(stack[0]).toBe('    Error: boom');
    expect(stack.length).toBeGreaterThan(1);
  });

  it('passes a line that is not JSON through unchanged', () => {
    expect(formatLogLine('not json', true)).toBe('not json\n');
  });
});

describe('logDestinationFor', () => {
  it('writes pino JSON when stdout is not a terminal (auto) or JSON is asked for', () => {
    expect(logDestinationFor('auto', sink(false))).toBeUndefined();
    expect(logDestinationFor('json', sink(true))).toBeUndefined();
  });

  it('writes coloured pretty lines on a terminal (auto), and plain pretty lines when pretty is forced elsewhere', () => {
    const terminal = sink(true);
    createLogger('meshwork', 'info', logDestinationFor('auto', terminal)).info('mesh ready');
    expect(terminal.lines[0]).toContain(`${ESC}32mINFO`);
    const file = sink(false);
    createLogger('meshwork', 'info', logDestinationFor('pretty', file)).info('mesh ready');
    expect(file.lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO  meshwork: mesh ready\n$/);
  });
});
