import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';
import { parseTraceparent } from './trace-context.js';
import { currentTrace, outgoingTraceparent, runInScope, runInTrace } from './trace-context-scope.js';

const TRACE = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', flags: '01' };

const capturingLogger = () => {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  return { logger: createLogger('test', 'info', sink), lines };
};

describe('the trace scope', () => {
  it('follows the work through awaits and timers', async () => {
    const seen = await runInTrace(TRACE, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return currentTrace();
    });
    expect(seen).toEqual(TRACE);
    expect(currentTrace()).toBeUndefined();
  });

  it('runs work without a trace outside the enclosing one', () => {
    const inner = runInTrace(TRACE, () => runInTrace(undefined, currentTrace));
    expect(inner).toBeUndefined();
  });

  it('names a new span of the current trace for each outgoing hop', () => {
    const [first, second] = runInScope({ trace: TRACE }, () => [outgoingTraceparent(), outgoingTraceparent()]);
    expect(parseTraceparent(first)).toEqual({ ...TRACE, spanId: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(parseTraceparent(first)?.spanId).not.toBe(parseTraceparent(second)?.spanId);
    expect(outgoingTraceparent()).toBeUndefined();
  });

  it('adds trace_id and span_id to the log lines written inside a trace, and only there', async () => {
    const { logger, lines } = capturingLogger();
    await runInTrace(TRACE, async () => {
      await Promise.resolve();
      logger.child({ component: 'x' }).info({ trace_id: 'kept-by-the-line' }, 'explicit');
      logger.info('inside');
    });
    logger.info('outside');
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.map(({ msg, trace_id, span_id }) => ({ msg, trace_id, span_id }))).toEqual([
      { msg: 'explicit', trace_id: 'kept-by-the-line', span_id: TRACE.spanId },
      { msg: 'inside', trace_id: TRACE.traceId, span_id: TRACE.spanId },
      { msg: 'outside', trace_id: undefined, span_id: undefined },
    ]);
  });
});
